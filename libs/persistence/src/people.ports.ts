import type { PersonDoc, SessionDoc } from './people.schemas';

export interface PersonRepository {
  /** Inserts; 'taken' when the tenant has a person with this email already (unique index). */
  insert(p: Omit<PersonDoc, 'createdAt'>): Promise<'created' | 'taken'>;
  byEmail(tenantId: string, email: string): Promise<PersonDoc | null>;
  list(tenantId: string): Promise<PersonDoc[]>;
  remove(tenantId: string, personId: string): Promise<boolean>;
}
export const PERSON_REPOSITORY = Symbol('PersonRepository');

export interface SessionRepository {
  insert(s: Omit<SessionDoc, 'createdAt'>): Promise<void>;
  /** By the access token's hash. */
  find(hash: string): Promise<SessionDoc | null>;
  /**
   * Deletes and returns the session of this refresh token's hash if it is still refreshable, in one
   * atomic step: of two concurrent refreshes with one token, one gets the session, the other null.
   */
  takeForRefresh(refreshHash: string, now: Date): Promise<SessionDoc | null>;
  /** Sign-out: deletes the session of this access token's hash. */
  remove(hash: string): Promise<boolean>;
  /** Ends every session of a person; returns their access hashes (to evict from caches). */
  removeOfPerson(tenantId: string, personId: string): Promise<string[]>;
}
export const SESSION_REPOSITORY = Symbol('SessionRepository');
