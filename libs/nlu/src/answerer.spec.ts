import { Answerer, fillTemplate, KnowledgeBase } from './answerer';
import type { Entity } from './entities';
import { DEMO_LANGUAGES, demoKb } from './testing/demo-tenant';

const order: Entity = { type: 'order_number', value: 'ORD-483920', text: 'ORD-483920', start: 0, end: 10 };

function request(over: Partial<Parameters<Answerer['answer']>[0]> = {}) {
  return { language: 'en', intent: 'order_status', abstained: false, outOfScopeLabel: 'out_of_scope', searchText: '', entities: [], reasons: [] as string[], ...over };
}

describe('fillTemplate', () => {
  it('fills slots and keeps optional sections only when their slots are known', () => {
    const t = 'Hi.[[ Order {order_number} is on its way.]] Bye.';
    expect(fillTemplate(t, { order_number: 'ORD-1' })).toBe('Hi. Order ORD-1 is on its way. Bye.');
    expect(fillTemplate(t, {})).toBe('Hi. Bye.');
  });
});

describe('Answerer on the demo KB', () => {
  const kb = demoKb();
  const answerer = new Answerer(kb);

  it.each(DEMO_LANGUAGES)('answers order status in %s with the order number filled in', (lang) => {
    const a = answerer.answer(request({ language: lang, entities: [order] }));
    expect(a).toMatchObject({ language: lang, kind: 'article', articleId: 'order-status' });
    expect(a?.text).toContain('ORD-483920');
    expect(a?.text).not.toMatch(/\{|\[\[/);
  });

  it('every article and message exists in every demo language', () => {
    for (const lang of DEMO_LANGUAGES) {
      for (const a of kb.articles) expect(a.answer[lang]).toBeTruthy();
      expect(kb.messages.abstain[lang]).toBeTruthy();
      expect(kb.messages.outOfScope[lang]).toBeTruthy();
    }
  });

  it('says so and offers a person when abstaining and the KB has no match', () => {
    const a = answerer.answer(request({ language: 'de', abstained: true, searchText: 'xqzt blorf' }));
    expect(a).toMatchObject({ kind: 'abstain', language: 'de', offerHuman: true });
  });

  it('falls back to BM25 search over the KB in the customer language', () => {
    const a = answerer.answer(request({ language: 'es', abstained: true, searchText: '¿las tarjetas regalo se pueden combinar con un cupón?' }));
    expect(a).toMatchObject({ kind: 'search', articleId: 'gift-cards', language: 'es' });
    const th = answerer.answer(request({ language: 'th', abstained: true, searchText: 'ภาษีศุลกากรสำหรับคำสั่งซื้อต่างประเทศ' }));
    expect(th).toMatchObject({ kind: 'search', articleId: 'customs-duties' });
  });

  it('answers out-of-scope politely in the language', () => {
    expect(answerer.answer(request({ language: 'vi', intent: 'out_of_scope' }))).toMatchObject({ kind: 'out_of_scope', language: 'vi', offerHuman: true });
  });

  it('uses the default language when the KB lacks the customer language, and says why', () => {
    const reasons: string[] = [];
    const a = answerer.answer(request({ language: 'ja', reasons }));
    expect(a?.language).toBe('en');
    expect(reasons.join(' ')).toContain('no text in "ja"');
  });

  it('returns null when the KB has no messages to say', () => {
    const empty: KnowledgeBase = { defaultLanguage: 'en', messages: { abstain: {}, outOfScope: {} }, articles: [] };
    expect(new Answerer(empty).answer(request({ abstained: true }))).toBeNull();
  });
});
