import { SignatureError } from '../common/errors';
import { TelegramVerifier, telegramBotId } from './verifier';

describe('TelegramVerifier', () => {
  const verifier = new TelegramVerifier({ secretToken: 'fake_Secret-Token_123' });

  it('accepts the exact secret token', () => {
    expect(() => verifier.verify('fake_Secret-Token_123')).not.toThrow();
  });

  it('rejects a missing, wrong or prefix-only token', () => {
    expect(() => verifier.verify(undefined)).toThrow(SignatureError);
    expect(() => verifier.verify('')).toThrow(SignatureError);
    expect(() => verifier.verify('fake_Secret-Token_124')).toThrow(/does not match/);
    expect(() => verifier.verify('fake_Secret')).toThrow(/does not match/);
  });

  it('refuses to start with an empty or invalid secret (never accept-all)', () => {
    expect(() => new TelegramVerifier({ secretToken: '' })).toThrow(SignatureError);
    expect(() => new TelegramVerifier({ secretToken: 'has space' })).toThrow(SignatureError);
  });

  it('reads the bot id from a token', () => {
    expect(telegramBotId('987654321:AAFakeTokenForTestsOnly')).toBe('987654321');
    expect(() => telegramBotId('nonsense')).toThrow();
  });
});
