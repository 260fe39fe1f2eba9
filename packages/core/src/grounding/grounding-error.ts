import { SandtableError } from '../errors';

/** Stable codes of problems with a world file; each is listed in docs/ERRORS.md. */
export type GroundingCode =
  | 'WORLD_FILE_NOT_FOUND'
  | 'WORLD_FILE_TOO_LARGE'
  | 'WORLD_FILE_UNKNOWN_FORMAT'
  | 'WORLD_FILE_ENCRYPTED'
  | 'WORLD_FILE_CORRUPT'
  | 'WORLD_TABLE_MERGED_HEADER'
  | 'WORLD_TABLE_UNMAPPED'
  | 'WORLD_COLUMN_NOT_FOUND'
  | 'WORLD_BINDING_INVALID'
  | 'WORLD_PERSONA_NOT_WRITTEN';

/**
 * A world file (data table or document) that could not be used as it is. The world builder turns
 * these into warnings and builds the rest of the world; reading one file directly throws it.
 */
export class GroundingError extends SandtableError {
  /** The file, as the scenario names it. */
  readonly file: string;

  constructor(code: GroundingCode, file: string, message: string, options: { cause?: unknown } = {}) {
    super(code, `${file}: ${message}`, { category: 'user', cause: options.cause });
    this.name = 'GroundingError';
    this.file = file;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file };
  }
}

/** A problem with one world file that did not stop the world from building. */
export interface GroundingWarning {
  code: GroundingCode;
  file: string;
  message: string;
}

/** The warning form of an error: file, code and the message without the file prefix repeated. */
export function warningOf(error: GroundingError): GroundingWarning {
  const prefix = `${error.file}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return { code: error.code as GroundingCode, file: error.file, message };
}
