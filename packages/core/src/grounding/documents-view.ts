/** A passage as an agent sees it: the text and how to cite it. */
export interface SeenPassage {
  citation: string;
  document: string;
  page?: number;
  section?: string;
  text: string;
}

/** What the documents environment shows an agent: passages for its situation and its own searches. */
export type DocumentsView = {
  passages: SeenPassage[];
};

/** The name of the documents environment and the key of its view in an observation. */
export const documentsEnvironmentName = 'documents';
