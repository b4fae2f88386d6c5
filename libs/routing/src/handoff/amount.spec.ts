import { parseAmount } from './amount';

describe('parseAmount', () => {
  it.each([
    ['150', 150],
    ['$1,234.56', 1234.56],
    ['1.234,56 €', 1234.56],
    ['R$ 150,00', 150],
    ['1.500', 1500],
    ['1,500', 1500],
    ['12.5', 12.5],
    ['12,5', 12.5],
    ['1 500 000', 1500000],
    ['٢٥٠', 250],
    ['๑๐๐๐ บาท', 1000],
    ['１２０', 120],
    ['about twenty', undefined],
    ['', undefined],
  ])('%p -> %p', (input, expected) => {
    expect(parseAmount(input)).toBe(expected);
  });
});
