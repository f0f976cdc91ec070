import { gunzipSync, gzipSync } from 'node:zlib';
import { temporal } from '@temporalio/proto';

/**
 * Recorded histories as gzipped JSON files (protobuf's object form: enums by name, 64-bit numbers and bytes as
 * strings; `zcat` shows them): a continued-as-new chain is megabytes of JSON, a tenth of that gzipped. The SDK's historyToJSON cannot be used here: @temporalio/common and @temporalio/proto each
 * bring their own copy of protobufjs, and the one refuses the other's types.
 */
const History = temporal.api.history.v1.History;

export const HISTORY_FILE_SUFFIX = '.json.gz';

export function historyToFile(history: temporal.api.history.v1.IHistory): Buffer {
  const object = History.toObject(History.fromObject(history), { enums: String, longs: String, bytes: String });
  return gzipSync(`${JSON.stringify(object, null, 1)}\n`);
}

export function historyFromFile(file: Buffer): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(gunzipSync(file).toString('utf8')));
}
