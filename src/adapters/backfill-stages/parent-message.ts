import { either as E } from 'fp-ts';
import {
  MAX_REASON_LENGTH,
  decodeParentMessage,
  type ChildMessage,
  type ParentMessage,
} from '../../ports/backfill-stages/stage-messages.ts';
import type { LogFields, Logger } from '../../ports/logger/logger.ts';

/**
 * A message from the parent, decoded (it comes from another process). One that does not decode is
 * refused: logged, and reported to the parent, whose job would otherwise wait forever for the work
 * it carried. Undefined then.
 */
export const receiveParentMessage = (
  raw: unknown,
  stage: { readonly logger: Logger; readonly fields: LogFields; readonly send: (m: ChildMessage) => void },
): ParentMessage | undefined => {
  const decoded = decodeParentMessage(raw);
  if (E.isRight(decoded)) return decoded.right;
  stage.logger.error('Refused a message from the parent', { ...stage.fields, reason: decoded.left });
  stage.send({ type: 'refused', reason: decoded.left.slice(0, MAX_REASON_LENGTH) });
  return undefined;
};
