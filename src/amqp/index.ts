export { assertTopology, DELIVERY_LIMIT, deadLetterExchangeFor, deadLetterQueueFor } from './topology';
export { JobPublisher } from './publisher';
export type { JobPublisherLike, JobPublisherOptions } from './publisher';
export { PublishError } from './errors';
export type { PublishErrorCode } from './errors';
