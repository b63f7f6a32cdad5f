// A bounded request body reader. A body larger than the limit is refused as soon as its length
// is known (Content-Length) or reached (chunked), with 413 naming the limit and the variable
// that sets it; the connection is then closed (reply.ts) rather than the rest read.
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from '../errors.js';

function tooLarge(maxBytes: number, got: string): HttpError {
  return new HttpError(413, [`request body is ${got}, more than the limit of ${maxBytes} bytes (SHOAL_MAX_BODY_BYTES); send smaller batches`]);
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes, `${declared} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(maxBytes, `over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    const fail = (why: string) => failed || ((failed = true), reject(badRequest(`request body could not be read: ${why}`)));
    req.on('end', () => ((ended = true), failed || resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))));
    req.on('error', (e) => fail(e.message));
    // A client that goes away mid-body: settle instead of waiting for an 'end' that never comes.
    req.on('close', () => ended || fail('the connection closed before the body ended'));
  });
}

/** Parse a JSON body; an empty body is undefined. Malformed JSON is a 400 with the parser's reason. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return parseJson(await readBody(req, maxBytes));
}
