import { Inject, Injectable } from '@nestjs/common';
import { OmniError } from '@omni/contracts';
import { CUSTOMER_LINK_REPOSITORY, CustomerLinkDoc, CustomerLinkRepository, VERIFIED_CONTACT_REPOSITORY, VerifiedContactRepository } from '@omni/persistence';
import { contactsProvenBy, linkDirection, type VerifiedContact } from './contacts';

/** Deeper chains than this mean corrupted links; real ones stay a few hops long. */
const MAX_HOPS = 64;
const MAX_ATTEMPTS = 5;

export interface Profile {
  /** The smallest identity id of the profile: stable until it is merged into a profile with a smaller one. */
  readonly profileId: string;
  readonly identityIds: string[];
  readonly links: CustomerLinkDoc[];
}

/**
 * One customer across channels: channel identities (customers rows) joined by union-find links.
 * Linking never moves or rewrites a message or conversation, so nothing can be lost; the unified
 * history is read through the links. Every link is an insert on the child's id (ADR 0221).
 */
@Injectable()
export class CustomerIdentities {
  constructor(
    @Inject(CUSTOMER_LINK_REPOSITORY) private readonly links: CustomerLinkRepository,
    @Inject(VERIFIED_CONTACT_REPOSITORY) private readonly contacts: VerifiedContactRepository,
  ) {}

  /** A conversation opened on a channel: the contacts that channel proves link its identity. */
  async identified(tenantId: string, customerId: string, channel: string, channelUserId: string, meta?: Readonly<Record<string, unknown>>): Promise<void> {
    // The profile id is not needed here: a first claim of the contact links nothing (no read of the links).
    for (const contact of contactsProvenBy(channel, channelUserId, meta)) await this.claim(tenantId, customerId, contact, `channel:${channel}`);
  }

  /** Records a verified contact; when another identity presented it first, both become one customer. Returns the profile id. */
  async verified(tenantId: string, customerId: string, contact: VerifiedContact, source: string): Promise<string> {
    return (await this.claim(tenantId, customerId, contact, source)) ?? this.root(customerId);
  }

  /** Claims the contact for `customerId`: undefined when it is this customer's, else the profile both now share. */
  private async claim(tenantId: string, customerId: string, contact: VerifiedContact, source: string): Promise<string | undefined> {
    const owner = await this.contacts.claim({ tenantId, kind: contact.kind, value: contact.value, customerId, source, at: new Date() });
    if (owner.customerId === customerId) return undefined;
    return this.link(tenantId, customerId, owner.customerId, contact.kind, contact.value);
  }

  merge(tenantId: string, a: string, b: string, by: string): Promise<string> {
    return this.link(tenantId, a, b, 'merge', by);
  }

  async profile(tenantId: string, customerId: string): Promise<Profile> {
    const profileId = await this.root(customerId);
    const members = new Set([profileId]);
    const links: CustomerLinkDoc[] = [];
    let frontier = [profileId];
    while (frontier.length > 0 && members.size < 10_000) {
      const found = (await this.links.linkedTo(tenantId, frontier)).filter((l) => !members.has(l._id));
      for (const l of found) members.add(l._id);
      links.push(...found);
      frontier = found.map((l) => l._id);
    }
    return { profileId, identityIds: [...members].sort(), links };
  }

  private async link(tenantId: string, a: string, b: string, via: CustomerLinkDoc['via'], detail: string): Promise<string> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [ra, rb] = await Promise.all([this.root(a), this.root(b)]);
      if (ra === rb) return ra;
      const { child, parent } = linkDirection(ra, rb);
      // Only a root may be linked, and only once: the insert on its id decides racing merges.
      if (await this.links.link({ _id: child, tenantId, profileId: parent, via, detail, at: new Date() })) return parent;
    }
    throw new OmniError('conflict', `customers ${a} and ${b} kept changing while linking; retry`, true);
  }

  private async root(id: string): Promise<string> {
    let current = id;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const link = await this.links.get(current);
      if (!link) return current;
      current = link.profileId;
    }
    throw new OmniError('corrupt_links', `customer ${id}: link chain longer than ${MAX_HOPS}`, false);
  }
}
