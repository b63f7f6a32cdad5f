// CRC-32 of a file, read in chunks so that a large snapshot does not block the thread's event loop.
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export async function fileChecksum(path: string): Promise<{ checksum: number; bytes: number }> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let checksum = 0;
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, bytes);
      if (bytesRead === 0) return { checksum, bytes };
      checksum = crc32(buf.subarray(0, bytesRead), checksum);
      bytes += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** Flush a file's data to disk (rename alone does not make its content durable). */
export async function fsyncFile(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Flush a directory so that a rename or unlink in it survives a crash. */
export async function fsyncDir(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
