// Integration suites talk to a real broker and database: allow for a busy 2-core CI machine.
jest.setTimeout(60_000);
