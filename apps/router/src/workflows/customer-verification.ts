import { Inject, Injectable } from '@nestjs/common';
import type { ConnectorContact } from '@omni/contracts';
import { ConversationDoc, MESSAGE_REPOSITORY, MessageRepository, VERIFIED_CONTACT_REPOSITORY, VerifiedContactRepository } from '@omni/persistence';
import { contactsProvenBy } from '../customers/contacts';
import { CustomerIdentities } from '../customers/customer-identities';

/**
 * Who the customer writing a message is proven to be, for the company's connector (ADR 0226): the
 * contacts verified for their profile (ADR 0221: a WhatsApp number, a DMARC-aligned email address, a
 * contact an agent verified, those of identities merged with them) plus what the message's channel
 * proves by itself. An email's customer id is the From address anyone can type, so an email that did
 * not itself pass DMARC proves nothing, whatever its address was verified as before.
 */
export function provenContacts(
  c: Pick<ConversationDoc, 'channel' | 'channelUserId'>,
  messageSenderVerified: boolean,
  profileContacts: readonly ConnectorContact[],
): ConnectorContact[] {
  if (c.channel === 'email' && !messageSenderVerified) return [];
  const all = [...contactsProvenBy(c.channel, c.channelUserId, { senderVerified: messageSenderVerified }), ...profileContacts];
  return [...new Map(all.map((x) => [`${x.kind}:${x.value}`, x])).values()];
}

@Injectable()
export class CustomerVerification {
  constructor(
    private readonly identities: CustomerIdentities,
    @Inject(VERIFIED_CONTACT_REPOSITORY) private readonly contacts: VerifiedContactRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
  ) {}

  async contactsFor(c: ConversationDoc, messageId: string): Promise<ConnectorContact[]> {
    const senderVerified = c.channel === 'email' ? (await this.messages.get(messageId))?.senderVerified === true : false;
    if (c.channel === 'email' && !senderVerified) return [];
    const { identityIds } = await this.identities.profile(c.tenantId, c.customerId);
    const stored = (await this.contacts.ofCustomers(identityIds)).filter((v) => v.tenantId === c.tenantId);
    return provenContacts(c, senderVerified, stored.map((v) => ({ kind: v.kind, value: v.value })));
  }
}
