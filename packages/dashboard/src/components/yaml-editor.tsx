import { yaml, yamlLanguage } from '@codemirror/lang-yaml';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import { Compartment, EditorState, type Extension, StateEffect } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { handleRefresh, stateExtensions } from 'codemirror-json-schema';
import { yamlCompletion, yamlSchemaHover, yamlSchemaLinter } from 'codemirror-json-schema/yaml';
import { useEffect, useRef } from 'react';
import type { ValidationIssue } from '../api/api-types';

/** Tells the server-issue linter that new issues arrived (the text itself may not have changed). */
const issuesArrived = StateEffect.define<null>();

/**
 * The scenario's YAML in CodeMirror 6: completion, hover help and inline schema errors from the
 * scenario JSON Schema (codemirror-json-schema), plus the server's validation issues (the same
 * ones `sandtable validate` prints: expressions, references, ranges) as inline diagnostics at their
 * line and column. The text is controlled: edits go out through `onChange`, and a new `value` from
 * the form replaces the document without moving the view.
 */
export function YamlEditor({
  value,
  onChange,
  schema,
  issues,
}: {
  value: string;
  onChange: (text: string) => void;
  schema: Record<string, unknown> | undefined;
  issues: ValidationIssue[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const issuesRef = useRef(issues);
  issuesRef.current = issues;

  // The editor is built once; the schema's completion, hover and linting arrive later through a
  // compartment, so loading the schema never rebuilds the editor (which would drop the focus and
  // any keystrokes typed meanwhile).
  const schemaCompartment = useRef(new Compartment());

  // biome-ignore lint/correctness/useExhaustiveDependencies: built once; `value` and `schema` changes are applied by the effects below.
  useEffect(() => {
    if (!host.current) return;
    const serverLinter = linter((editor) => issuesToDiagnostics(editor, issuesRef.current), {
      delay: 0,
      needsRefresh: (update) =>
        update.transactions.some((transaction) =>
          transaction.effects.some((effect) => effect.is(issuesArrived)),
        ),
    });
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          schemaCompartment.current.of(schemaExtensions(schema)),
          serverLinter,
          lintGutter(),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
          EditorView.theme({
            '&': { height: '100%' },
            '.cm-scroller': { fontFamily: 'ui-monospace, monospace' },
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = undefined;
    };
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: schemaCompartment.current.reconfigure(schemaExtensions(schema)) });
  }, [schema]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new issues from the server re-run the linter that reads them.
  useEffect(() => {
    view.current?.dispatch({ effects: issuesArrived.of(null) });
  }, [issues]);

  return <div className="yaml-editor" ref={host} data-testid="yaml-editor" />;
}

/** Completion, hover help and inline errors from the scenario JSON Schema, once it has loaded. */
function schemaExtensions(schema: Record<string, unknown> | undefined): Extension[] {
  if (!schema) return [];
  return [
    linter(yamlSchemaLinter(), { needsRefresh: handleRefresh }),
    yamlLanguage.data.of({ autocomplete: yamlCompletion() }),
    hoverTooltip(yamlSchemaHover()),
    stateExtensions(schema as Parameters<typeof stateExtensions>[0]),
  ];
}

/** Places each server issue at its line and column (the whole line when the column is unknown). */
function issuesToDiagnostics(editor: EditorView, issues: ValidationIssue[]): Diagnostic[] {
  const document = editor.state.doc;
  return issues.map((issue) => {
    if (!issue.line || issue.line > document.lines) {
      return {
        from: 0,
        to: Math.min(document.length, document.line(1).length),
        severity: 'error',
        message: describe(issue),
      };
    }
    const line = document.line(issue.line);
    const from = Math.min(line.to, line.from + Math.max(0, (issue.column ?? 1) - 1));
    const to = issue.column
      ? Math.min(line.to, Math.max(from + 1, wordEnd(line.text, from - line.from) + line.from))
      : line.to;
    return {
      from,
      to: Math.max(from, to),
      severity: 'error',
      message: describe(issue),
      source: 'sandtable validate',
    };
  });
}

function wordEnd(text: string, start: number): number {
  const match = /^[^\s,:}\]]*/.exec(text.slice(start));
  return start + (match?.[0].length ?? 0);
}

function describe(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}
