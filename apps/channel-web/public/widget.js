/*
 * omni-gateway web chat widget. Embed with:
 *   <script src="https://<gateway>/widget.js" data-title="Chat with us" async></script>
 * Keeps the session token the gateway issued in localStorage (history survives reloads; the gateway
 * signs it and keeps only its hash, so it cannot be guessed), reconnects with backoff, and resends
 * messages the server has not acknowledged (same clientMessageId, so the gateway dedupes them).
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src) : new URL(window.location.href);
  var wsUrl = (script && script.dataset.ws) || (base.protocol === 'https:' ? 'wss://' : 'ws://') + base.host + '/ws';
  var title = (script && script.dataset.title) || 'Chat with us';
  var KEY = 'omni.chat.token';

  function randomId() {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  // Ids this widget chose itself (before server-issued tokens) identify nobody any more.
  localStorage.removeItem('omni.chat.session');

  var css = '.omni-chat{position:fixed;right:20px;bottom:20px;width:340px;max-height:520px;display:flex;flex-direction:column;font:14px/1.4 system-ui,sans-serif;box-shadow:0 8px 30px rgba(0,0,0,.2);border-radius:12px;overflow:hidden;background:#fff;z-index:2147483000}' +
    '.omni-chat header{background:#1f6feb;color:#fff;padding:10px 14px;font-weight:600;display:flex;justify-content:space-between}' +
    '.omni-chat .omni-state{font-weight:400;font-size:12px;opacity:.85}' +
    '.omni-chat ol{list-style:none;margin:0;padding:10px;overflow-y:auto;flex:1;min-height:240px;background:#f6f8fa}' +
    '.omni-chat li{margin:6px 0;padding:8px 10px;border-radius:10px;max-width:80%;white-space:pre-wrap;word-wrap:break-word}' +
    '.omni-chat li.inbound{background:#1f6feb;color:#fff;margin-left:auto}' +
    '.omni-chat li.outbound{background:#fff;border:1px solid #d0d7de}' +
    '.omni-chat li.pending{opacity:.6}.omni-chat li.error{background:#ffebe9;color:#82071e;border:1px solid #ff8182;max-width:100%}' +
    '.omni-chat form{display:flex;border-top:1px solid #d0d7de}.omni-chat input{flex:1;border:0;padding:12px;font:inherit;outline:none}' +
    '.omni-chat button{border:0;background:#1f6feb;color:#fff;padding:0 16px;font:inherit;cursor:pointer}' +
    // Thumbs under the bot's answers; the emoji come from CSS so the bubble's text stays the answer.
    '.omni-chat .omni-rate{display:block;margin-top:4px;text-align:right}.omni-chat .omni-rate button{background:none;color:#57606a;font-family:"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji",sans-serif;padding:0 3px;opacity:.45;font-size:13px}' +
    '.omni-chat .omni-rate button[aria-pressed=true]{opacity:1}.omni-chat .omni-up::before{content:"\\1F44D"}.omni-chat .omni-down::before{content:"\\1F44E"}';
  var style = document.createElement('style'); style.textContent = css; document.head.appendChild(style);

  var root = document.createElement('section');
  root.className = 'omni-chat'; root.setAttribute('aria-label', title);
  root.innerHTML = '<header><span class="omni-title"></span><span class="omni-state" data-testid="chat-state">connecting…</span></header>' +
    '<ol data-testid="chat-log" aria-live="polite"></ol>' +
    '<form data-testid="chat-form"><input data-testid="chat-input" autocomplete="off" maxlength="4000" placeholder="Type a message…" aria-label="Message">' +
    '<button type="submit" data-testid="chat-send">Send</button></form>';
  root.querySelector('.omni-title').textContent = title;
  document.body.appendChild(root);
  var log = root.querySelector('ol'), form = root.querySelector('form'), input = root.querySelector('input');
  var stateEl = root.querySelector('.omni-state');

  var shown = {};          // message id -> <li>, so redeliveries are not shown twice
  var pending = {};        // clientMessageId -> { text, li }
  var ws, attempt = 0;
  var offlineText = 'offline';  // the tenant's own once a welcome brings its texts

  // The tenant's texts for this visitor's language (its widget settings), when it set them.
  function applyTexts(t) {
    if (!t) return;
    if (t.title) { root.querySelector('.omni-title').textContent = t.title; root.setAttribute('aria-label', t.title); }
    if (t.placeholder) input.setAttribute('placeholder', t.placeholder);
    if (t.offline) offlineText = t.offline;
    if (t.greeting && !log.children.length) {
      var li = document.createElement('li'); li.className = 'outbound greeting'; li.dataset.author = 'system'; li.dataset.testid = 'chat-greeting';
      li.textContent = t.greeting; log.appendChild(li);
    }
  }

  function render(m) {
    var id = m.id;
    if (id && shown[id]) return;
    var li = document.createElement('li');
    li.className = m.direction + (m.pending ? ' pending' : '');
    li.dataset.author = m.author || '';
    li.textContent = m.text || '';
    if (id) { shown[id] = li; li.dataset.id = id; }
    if (id && m.author === 'bot') addThumbs(li, id);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }
  // 👍/👎 on a bot answer: the customer's verdict, which the gateway records for the bot's training.
  function addThumbs(li, id) {
    var rate = document.createElement('span'); rate.className = 'omni-rate';
    [['omni-up', '👍', 'thumbs-up', 'Helpful'], ['omni-down', '👎', 'thumbs-down', 'Not helpful']].forEach(function (b) {
      var btn = document.createElement('button');
      btn.type = 'button'; btn.className = b[0]; btn.dataset.testid = b[2]; btn.setAttribute('aria-label', b[3]); btn.setAttribute('aria-pressed', 'false');
      btn.addEventListener('click', function () { send({ type: 'reaction', messageId: id, emoji: b[1] }); });
      rate.appendChild(btn);
    });
    li.appendChild(rate);
  }
  function showError(text) {
    var li = document.createElement('li'); li.className = 'error'; li.setAttribute('role', 'alert');
    li.textContent = text; log.appendChild(li); log.scrollTop = log.scrollHeight;
  }
  function send(frame) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame)); }

  function connect() {
    stateEl.textContent = attempt ? 'reconnecting…' : 'connecting…';
    ws = new WebSocket(wsUrl);
    ws.onopen = function () {
      attempt = 0; stateEl.textContent = 'online';
      var hello = { type: 'hello', locale: navigator.language };
      var token = localStorage.getItem(KEY);
      if (token) hello.token = token;
      send(hello);
    };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === 'welcome') {
        // A new session (first visit, or a token the gateway no longer knows) comes with its token.
        if (f.token) localStorage.setItem(KEY, f.token);
        log.innerHTML = ''; shown = {};
        applyTexts(f.texts);
        f.history.forEach(render);
        // Anything sent but never acknowledged goes again, with the same id.
        Object.keys(pending).forEach(function (cid) {
          log.appendChild(pending[cid].li);
          send({ type: 'message', clientMessageId: cid, text: pending[cid].text });
        });
      } else if (f.type === 'ack') {
        var p = pending[f.clientMessageId];
        if (p) { p.li.classList.remove('pending'); p.li.dataset.id = f.messageId; shown[f.messageId] = p.li; delete pending[f.clientMessageId]; }
      } else if (f.type === 'message') {
        render(f.message);
      } else if (f.type === 'reacted') {
        var rated = shown[f.messageId];
        if (rated) rated.querySelectorAll('.omni-rate button').forEach(function (b) {
          b.setAttribute('aria-pressed', String((f.emoji === '👍') === b.classList.contains('omni-up')));
        });
      } else if (f.type === 'error') {
        if (f.code === 'session_unavailable') {
          // The gateway could not open the session (its store is down): reconnect with backoff and say hello again.
          ws.close();
        } else if (f.clientMessageId && pending[f.clientMessageId] && f.code === 'no_session') {
          // Sent before the welcome: the welcome resends every pending message.
        } else if (f.clientMessageId && pending[f.clientMessageId] && (f.code === 'unavailable' || f.code === 'rate_limited')) {
          var cid = f.clientMessageId;
          setTimeout(function () { if (pending[cid]) send({ type: 'message', clientMessageId: cid, text: pending[cid].text }); }, f.retryAfterMs || 2000);
        } else {
          if (f.clientMessageId && pending[f.clientMessageId]) { pending[f.clientMessageId].li.remove(); delete pending[f.clientMessageId]; }
          showError(f.reason || f.code);
        }
      }
    };
    ws.onclose = function (ev) {
      // 1008: this page's origin is not allowed, or it flooded; 1013: too many tabs from this address.
      stateEl.textContent = ev && ev.code === 1008 ? 'unavailable' : offlineText;
      if (ev && ev.code === 1008) { showError(ev.reason || 'the chat refused this page'); return; }
      var delay = Math.min(30000, 500 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    };
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    var cid = randomId();
    pending[cid] = { text: text, li: render({ direction: 'inbound', author: 'customer', text: text, pending: true }) };
    send({ type: 'message', clientMessageId: cid, text: text });
  });
  connect();
})();
