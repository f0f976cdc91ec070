import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { randomId } from '../../src/shared/crypto';
import { TransferInput, workflowIdFor } from '../../src/shared/types';
import { startTransfer } from '../../src/temporal/start';
import { WITHDRAWN_WORKFLOW_TYPE, withdrawTransfer } from '../../src/temporal/withdraw';

/**
 * withdrawTransfer against the real Temporal server: it decides, once and for all, whether an unconfirmed job
 * may still start. No worker polls these task queues, so the transfers started here only need to exist.
 */

const TASK_QUEUE = `test-withdraw-${randomId()}`;
let connection: Connection;
let client: Client;

function input(transferId: string): TransferInput {
  return {
    transferId,
    galleryId: '858329',
    galleryName: 'Withdraw test',
    archiveUrl: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3',
    listingUrl: 'https://api.lite.gallery/listing',
    archiveType: 'originals',
    cloudType: 'google_drive',
    sealedRefreshToken: 'v1.sealed',
    requestedAt: new Date().toISOString(),
  };
}

describe('withdrawTransfer', () => {
  before(async () => {
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    client = new Client({ connection });
  });
  after(async () => {
    await connection.close();
  });

  test('withdrawn first: a copy of the job consumed later starts nothing, and the placeholder is closed', async () => {
    const id = randomId();
    assert.equal(await withdrawTransfer(client, TASK_QUEUE, id), 'withdrawn');
    assert.equal(await startTransfer(client, TASK_QUEUE, input(id)), 'already-exists');
    const description = await client.workflow.getHandle(workflowIdFor(id)).describe();
    assert.equal(description.type, WITHDRAWN_WORKFLOW_TYPE);
    assert.equal(description.status.name, 'TERMINATED');
  });

  test('the bridge first: the transfer is running, so the withdrawal reports it instead of pretending', async () => {
    const id = randomId();
    assert.equal(await startTransfer(client, TASK_QUEUE, input(id)), 'started');
    assert.equal(await withdrawTransfer(client, TASK_QUEUE, id), 'already-started');
    const handle = client.workflow.getHandle(workflowIdFor(id));
    assert.equal((await handle.describe()).type, 'transferWorkflow');
    await handle.terminate('test over');
  });

  test('withdrawing twice (a double click on "Allow") stays withdrawn', async () => {
    const id = randomId();
    assert.equal(await withdrawTransfer(client, TASK_QUEUE, id), 'withdrawn');
    assert.equal(await withdrawTransfer(client, TASK_QUEUE, id), 'withdrawn');
  });
});
