/**
 * Puppeteer (pulled in by whatsapp-web.js) must not download its own browser: this project's
 * machines reach package registries only. The linked-device WhatsApp client launches Debian's
 * `chromium` instead (WHATSAPP_WEB_CHROMIUM_PATH, default /usr/bin/chromium; ADR 0421).
 */
module.exports = {
  skipDownload: true,
};
