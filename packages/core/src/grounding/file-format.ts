import { extname } from 'node:path';
import { GroundingError } from './grounding-error';

/** The formats the world builder reads. */
export type WorldFileFormat = 'pdf' | 'docx' | 'xlsx' | 'csv' | 'json' | 'markdown' | 'text';

const byExtension: Record<string, WorldFileFormat> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.xlsx': 'xlsx',
  '.csv': 'csv',
  '.json': 'json',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
};

/** Formats that hold tables (the snapshot's sources). */
export const tabularFormats: ReadonlySet<WorldFileFormat> = new Set(['csv', 'xlsx', 'json']);

/** An OLE compound file: legacy .doc/.xls, or an encrypted (password-protected) OOXML package. */
const compoundFileSignature = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const zipSignature = [0x50, 0x4b, 0x03, 0x04];
const pdfSignature = [0x25, 0x50, 0x44, 0x46]; // %PDF

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/** True when the file name has an extension the builder reads. */
export function isKnownExtension(file: string): boolean {
  return extname(file).toLowerCase() in byExtension;
}

/**
 * The format of a world file, from its extension checked against its first bytes, so a renamed or
 * damaged file is reported for what it is rather than fed to the wrong parser.
 * @throws {GroundingError} WORLD_FILE_UNKNOWN_FORMAT for an extension the builder does not read;
 * WORLD_FILE_ENCRYPTED for a password-protected Office file (an OLE container where a ZIP package
 * should be); WORLD_FILE_CORRUPT when the bytes do not match the extension
 */
export function detectFormat(file: string, bytes: Uint8Array): WorldFileFormat {
  const extension = extname(file).toLowerCase();
  const format = byExtension[extension];
  if (!format) {
    throw new GroundingError(
      'WORLD_FILE_UNKNOWN_FORMAT',
      file,
      `unknown format "${extension || '(no extension)'}"; readable: ${Object.keys(byExtension).join(', ')}`,
    );
  }
  if (format === 'docx' || format === 'xlsx') {
    if (startsWith(bytes, compoundFileSignature)) {
      throw new GroundingError(
        'WORLD_FILE_ENCRYPTED',
        file,
        'is password-protected (an encrypted Office container, signature D0 CF 11 E0); save an unprotected copy',
      );
    }
    if (!startsWith(bytes, zipSignature)) {
      throw new GroundingError(
        'WORLD_FILE_CORRUPT',
        file,
        `is not a ${format.toUpperCase()} package (no ZIP signature)`,
      );
    }
  }
  if (format === 'pdf' && !startsWith(bytes, pdfSignature)) {
    throw new GroundingError('WORLD_FILE_CORRUPT', file, 'is not a PDF (no %PDF header)');
  }
  return format;
}
