// End-to-end suites start several apps and a browser.
jest.setTimeout(120_000);
