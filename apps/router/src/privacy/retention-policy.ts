import { z } from 'zod';
import { ValidationError } from '@omni/contracts';
import type { RouterConfig } from '../config';

const days = z.number().int().min(0).max(36_500);

/**
 * A tenant's retention (`tenants.retention`, ADR 0501), in days; 0 keeps forever. Every field optional:
 * what a tenant does not say comes from the router's RETENTION_* defaults.
 */
export const TenantRetentionSchema = z
  .object({
    /** A customer none of whose conversations had a message for this long is erased (as by a data-subject request). */
    customersDays: days.optional(),
    /** Messages older than this lose their text, attachments and AI reading; bot turns and workflow runs of that age go. */
    messagesDays: days.optional(),
    /** Stored files attached to messages older than this are deleted (never before the messages expire). */
    mediaDays: days.optional(),
    /** The AI worker's prediction log (intent and confidence per message). */
    predictionsDays: days.optional(),
  })
  .strict();

export type RetentionPolicy = Required<z.output<typeof TenantRetentionSchema>>;

export function defaultRetention(c: Pick<RouterConfig, 'RETENTION_CUSTOMERS_DAYS' | 'RETENTION_MESSAGES_DAYS' | 'RETENTION_MEDIA_DAYS' | 'RETENTION_PREDICTIONS_DAYS'>): RetentionPolicy {
  return { customersDays: c.RETENTION_CUSTOMERS_DAYS, messagesDays: c.RETENTION_MESSAGES_DAYS, mediaDays: c.RETENTION_MEDIA_DAYS, predictionsDays: c.RETENTION_PREDICTIONS_DAYS };
}

/** The tenant's settings over the defaults; a stored value that does not parse is a 4xx-style error naming the field. */
export function retentionPolicy(raw: unknown, defaults: RetentionPolicy): RetentionPolicy {
  const parsed = TenantRetentionSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ValidationError('invalid retention settings', parsed.error.issues.map((i) => ({ path: `retention.${i.path.join('.')}`, message: i.message })));
  return { ...defaults, ...Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
}

export interface RetentionCutoffs {
  customers?: Date;
  messages?: Date;
  /** Files go with their messages at the latest: the later of the media and message cutoffs. */
  media?: Date;
  predictions?: Date;
}

/** Data older than each date expires; an absent date keeps that kind forever. */
export function cutoffs(p: RetentionPolicy, now: Date): RetentionCutoffs {
  const before = (d: number) => (d > 0 ? new Date(now.getTime() - d * 86_400_000) : undefined);
  const messages = before(p.messagesDays);
  const mediaOwn = before(p.mediaDays);
  const media = mediaOwn && messages ? (mediaOwn > messages ? mediaOwn : messages) : (mediaOwn ?? messages);
  return { customers: before(p.customersDays), messages, media, predictions: before(p.predictionsDays) };
}
