import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mongo, type Connection } from 'mongoose';

/**
 * whatsapp-web.js RemoteAuth's store (`sessionExists`, `save`, `extract`, `delete`) on GridFS over the
 * app's mongoose connection, one bucket `wwebjs` with one file per session name
 * (`RemoteAuth-<account>.zip`). RemoteAuth zips the profile to `<dataPath>/<session>.zip` and calls
 * `save({ session })` without the path, so the store must know dataPath — the reason wwebjs-mongo
 * (which reads `<session>.zip` from the working directory, on mongoose's default connection) is not
 * used (ADR 0421).
 */
export class GridFsSessionStore {
  private readonly bucket: mongo.GridFSBucket;

  constructor(connection: Connection, private readonly dataPath: string) {
    if (!connection.db) throw new Error('GridFsSessionStore needs an open connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName: 'wwebjs' });
  }

  async sessionExists({ session }: { session: string }): Promise<boolean> {
    return (await this.files(session)).length > 0;
  }

  /** Uploads the new zip, then drops older ones: a crash in between leaves the old session usable. */
  async save({ session }: { session: string }): Promise<void> {
    const upload = this.bucket.openUploadStream(`${session}.zip`, { metadata: { session } });
    await pipeline(createReadStream(join(this.dataPath, `${session}.zip`)), upload);
    const older = (await this.files(session)).filter((f) => String(f._id) !== String(upload.id));
    await Promise.all(older.map((f) => this.bucket.delete(f._id)));
  }

  async extract({ session, path }: { session: string; path: string }): Promise<void> {
    const [latest] = await this.files(session);
    if (!latest) throw new Error(`no stored session ${session}`);
    await pipeline(this.bucket.openDownloadStream(latest._id), createWriteStream(path));
  }

  async delete({ session }: { session: string }): Promise<void> {
    await Promise.all((await this.files(session)).map((f) => this.bucket.delete(f._id)));
  }

  /** Newest first. */
  private files(session: string): Promise<mongo.GridFSFile[]> {
    return this.bucket.find({ filename: `${session}.zip` }).sort({ uploadDate: -1, _id: -1 }).toArray();
  }
}
