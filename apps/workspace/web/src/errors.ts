import { ApiError } from './api';
import type { T } from './i18n';

/** A failure as a sentence for the person (never a blank screen). */
export function explain(t: T, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('networkError');
    if (err.status === 401) return t('sessionExpired');
    return `${t('rejected')}: ${err.reason}`;
  }
  return `${t('rejected')}: ${String(err)}`;
}
