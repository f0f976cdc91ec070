import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { classifyDuplicate } from '../../src/bridge/duplicate-job';
import { randomId, Sealer } from '../../src/shared/crypto';
import { TransferInput, workflowIdFor } from '../../src/shared/types';
import { startTransfer } from '../../src/temporal/start';
import { withdrawTransfer } from '../../src/temporal/withdraw';

/**
 * How the bridge tells a copy of the job that started a transfer (leave its grant alone: the transfer runs on it)
 * from a job carrying another grant (give it back), against the real Temporal server. No worker polls this task
 * queue: the transfers only need to exist.
 */

const TASK_QUEUE = `test-duplicate-${randomId()}`;
const sealer = new Sealer('d'.repeat(40));
let connection: Connection;
let client: Client;

function input(transferId: string, sealedRefreshToken: string): TransferInput {
  return {
    transferId,
    galleryId: '858329',
    galleryName: 'Duplicate test',
    archiveUrl: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3',
    listingUrl: 'https://api.lite.gallery/listing',
    archiveType: 'originals',
    cloudType: 'google_drive',
    sealedRefreshToken,
    requestedAt: new Date().toISOString(),
  };
}

describe('classifyDuplicate', () => {
  before(async () => {
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    client = new Client({ connection });
  });
  after(async () => {
    await connection.close();
  });

  test('a copy of the job (the same sealed grant, or the same grant sealed again) is a copy; another grant is foreign', async () => {
    const id = randomId();
    const sealed = sealer.seal('refresh-token', '1//first-grant');
    assert.equal(await startTransfer(client, TASK_QUEUE, input(id, sealed)), 'started');
    try {
      assert.equal(await classifyDuplicate(client, sealer, input(id, sealed)), 'copy');
      assert.equal(await classifyDuplicate(client, sealer, input(id, sealer.seal('refresh-token', '1//first-grant'))), 'copy');
      assert.equal(await classifyDuplicate(client, sealer, input(id, sealer.seal('refresh-token', '1//second-grant'))), 'foreign-grant');
      // Sealed under another key: cannot be compared, so never revoked.
      assert.equal(await classifyDuplicate(client, sealer, input(id, new Sealer('e'.repeat(40)).seal('refresh-token', '1//x'))), 'copy');
    } finally {
      await client.workflow.getHandle(workflowIdFor(id)).terminate('test over');
    }
  });

  test('a copy of a withdrawn job carries a grant nobody uses', async () => {
    const id = randomId();
    assert.equal(await withdrawTransfer(client, TASK_QUEUE, id), 'withdrawn');
    assert.equal(await classifyDuplicate(client, sealer, input(id, sealer.seal('refresh-token', '1//withdrawn'))), 'foreign-grant');
  });
});
