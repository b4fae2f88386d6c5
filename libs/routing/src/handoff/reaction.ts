/**
 * A customer's emoji reaction to one of the bot's answers, read as a verdict on it: the thumbs-up /
 * thumbs-down of the NLU optimization loop and of the handoff policy's `thumbs_down` signal.
 * Only emoji whose meaning is not in doubt count; any other reaction (😂, 😮, 🔥 …) says nothing
 * about the answer and is ignored, as is a removed reaction (an empty emoji).
 */
export type ReactionVerdict = 'up' | 'down';

const UP = new Set(['👍', '❤', '♥', '😍', '🥰', '😊', '🙂', '😀', '😃', '😄', '🙏', '👏', '💯', '✅', '👌', '💚', '💙', '💜', '🧡', '💛', '🤍', '🩷', '🤝']);
const DOWN = new Set(['👎', '😡', '😠', '🤬', '😞', '😟', '🙁', '☹', '😢', '😭', '💩', '❌', '😒', '😤', '🖕']);

/** Skin-tone modifiers, variation selectors and joiners, so 👍🏽 and ❤️ read like 👍 and ❤. */
const MODIFIERS = /[\u{1F3FB}-\u{1F3FF}]|\uFE0E|\uFE0F|\u200D/gu;

export function reactionVerdict(emoji: string | undefined): ReactionVerdict | undefined {
  const base = (emoji ?? '').replace(MODIFIERS, '').trim();
  if (!base) return undefined;
  if (UP.has(base)) return 'up';
  if (DOWN.has(base)) return 'down';
  return undefined;
}
