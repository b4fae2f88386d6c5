// whatsapp-web.js pulls in puppeteer; its own browser download cannot work here (no internet beyond
// the package registries). The linked-device mode uses Debian's chromium via executablePath instead.
module.exports = { skipDownload: true };
