/**
 * An incremental parser for the `text/event-stream` format (the WHATWG "event stream
 * interpretation"): feed it chunks as they arrive, get whole messages out. The dashboard reads
 * SSE through `fetch` rather than `EventSource` so it can send the bearer token as a header.
 */

/** One dispatched Server-Sent Events message. */
export interface ServerSentMessage {
  /** The `id:` field, when the message had one. */
  id?: string;
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
  /** A `retry:` field (milliseconds), when present. */
  retry?: number;
}

/** Parses a stream of text chunks into {@link ServerSentMessage}s. */
export class ServerSentEventParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';
  private identifier: string | undefined;
  private retry: number | undefined;

  /** Adds a chunk of text and returns the messages it completed. */
  push(chunk: string): ServerSentMessage[] {
    this.buffer += chunk;
    const messages: ServerSentMessage[] = [];
    let lineStart = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const character = this.buffer[index];
      if (character !== '\n' && character !== '\r') continue;
      // A CR at the very end might be the first half of CRLF: wait for the next chunk.
      if (character === '\r' && index === this.buffer.length - 1) break;
      const line = this.buffer.slice(lineStart, index);
      if (character === '\r' && this.buffer[index + 1] === '\n') index++;
      lineStart = index + 1;
      const message = this.processLine(line);
      if (message) messages.push(message);
    }
    this.buffer = this.buffer.slice(lineStart);
    return messages;
  }

  private processLine(line: string): ServerSentMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.identifier = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        // Unknown fields are ignored, as the specification says.
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentMessage | undefined {
    const hasData = this.dataLines.length > 0;
    const message: ServerSentMessage = {
      event: this.eventName || 'message',
      data: this.dataLines.join('\n'),
      ...(this.identifier !== undefined ? { id: this.identifier } : {}),
      ...(this.retry !== undefined ? { retry: this.retry } : {}),
    };
    this.dataLines = [];
    this.eventName = '';
    this.retry = undefined;
    return hasData ? message : undefined;
  }
}
