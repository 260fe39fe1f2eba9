import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from './sse-parser';

describe('ServerSentEventParser', () => {
  it('reassembles frames split anywhere across chunks, with CRLF and comments', () => {
    const parser = new ServerSentEventParser();
    const text =
      ': heartbeat\r\n\r\nevent: step-started\r\ndata: {"sequence":1}\r\nid: 1\r\n\r\nevent: step-completed\ndata: {"sequence":2}\nid: 2\n\n';
    const messages = [];
    for (let index = 0; index < text.length; index += 3)
      messages.push(...parser.push(text.slice(index, index + 3)));
    expect(messages).toEqual([
      { event: 'step-started', data: '{"sequence":1}', id: '1' },
      { event: 'step-completed', data: '{"sequence":2}', id: '2' },
    ]);
  });

  it('joins multi-line data, keeps the last id, and reads retry', () => {
    const parser = new ServerSentEventParser();
    const messages = parser.push('id: 9\nretry: 1500\ndata: a\ndata:b\n\ndata: c\n\n');
    expect(messages).toEqual([
      { event: 'message', data: 'a\nb', id: '9', retry: 1500 },
      { event: 'message', data: 'c', id: '9' },
    ]);
  });

  it('holds an unfinished frame until its blank line arrives', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('data: half')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'half' }]);
  });
});
