import * as routing from './index';

describe('public entry', () => {
  it('exposes the domain functions', () => {
    for (const name of ['transition', 'botMayAnswer', 'evaluateHandoff', 'buildHandoffSummary', 'decide', 'assignVariant', 'experimentReport', 'aggregateMetrics', 'csatPrompt', 'outOfHoursMessage']) {
      expect(typeof (routing as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
