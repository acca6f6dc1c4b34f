// Knutepunkt status page: polls the hub's JSON every few seconds and shows it. Plain DOM, no
// libraries, nothing loaded from elsewhere. Every value from the hub is set as text (device serials
// and vendor ids come from vendors), never parsed as markup.
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const FIRST_PAGE = '/status/latest';

  const numbers = new Intl.NumberFormat('en-GB');
  const rates = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
  const times = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  const clock = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' });
  const minute = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

  let latestUrl = FIRST_PAGE;
  let timer = null;

  function $(id) { return document.getElementById(id); }

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) {
        e.setAttribute(k, v === true ? '' : v);
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c instanceof Node ? c : String(c));
      }
    }
    return e;
  }

  /** Only the hub's own addresses become links. */
  function link(href, text) {
    return typeof href === 'string' && href.startsWith('/') && !href.startsWith('//') ? el('a', { href }, text) : text;
  }

  function num(n) { return typeof n === 'number' ? numbers.format(n) : '–'; }

  function ago(iso) {
    if (!iso) { return ''; }
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) { return s <= 1 ? 'just now' : s + ' s ago'; }
    const m = Math.round(s / 60);
    if (m < 60) { return m + ' min ago'; }
    const h = Math.round(m / 60);
    if (h < 48) { return h + ' h ago'; }
    return Math.round(h / 24) + ' days ago';
  }

  function when(iso) {
    return iso ? el('span', {}, times.format(new Date(iso)), el('span', { class: 'sub' }, ago(iso))) : '–';
  }

  /** @param answersWhenDown the health endpoint answers 503 with its checks when one is down */
  async function json(url, answersWhenDown) {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!r.ok && !(answersWhenDown && r.status === 503)) {
      throw new Error(url + ': HTTP ' + r.status);
    }
    return r.json();
  }

  function showCounts(readings) {
    for (const k of ['received', 'stored', 'duplicate', 'parked', 'deadLettered']) {
      $(k).textContent = num(readings[k]);
    }
    const b = $('balance');
    if (readings.balanced) {
      b.className = 'balance ok';
      b.textContent = '✓ Balanced: received = stored + duplicate + parked + dead-lettered.';
    } else {
      const missing = readings.received - readings.stored - readings.duplicate - readings.parked - readings.deadLettered;
      b.className = 'balance bad';
      b.textContent = '✗ The counts do not balance (' + num(missing) + ' readings unaccounted for). '
        + 'Check /status/reconciliation and the hub’s log.';
    }
  }

  function showVendors(v) {
    // The window starts on a whole minute, so its length varies by up to a minute: name its start.
    const since = minute.format(new Date(v.window.since));
    $('recent-head').textContent = 'Since ' + since;
    $('window-note').textContent = 'Since ' + since + ': readings received in the last few minutes, '
      + 'and the rate per minute over that time.';
    const rows = v.vendors.map(x => el('tr', {},
      el('td', {}, x.name || x.id,
        x.registered ? el('span', { class: 'sub' }, x.id) : el('span', { class: 'sub flag' }, 'not registered: refused')),
      el('td', { class: 'num' }, num(x.counts.received),
        x.counts.balanced ? null : el('span', { class: 'sub bad-text' }, 'does not balance')),
      el('td', { class: 'num' }, num(x.counts.stored)),
      el('td', { class: 'num' }, num(x.counts.duplicate)),
      el('td', { class: 'num' }, num(x.counts.parked)),
      el('td', { class: 'num' }, num(x.counts.deadLettered)),
      el('td', { class: 'num' }, num(x.recent.received),
        el('span', { class: 'sub' }, rates.format(x.recent.receivedPerMinute) + ' / min')),
      el('td', {}, x.lastReceivedAt ? when(x.lastReceivedAt) : 'none yet')));
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'No vendors registered yet.')));
    }
    $('vendors').replaceChildren(...rows);
  }

  function showPatients(page) {
    const cards = page.patients.map(p => {
      const head = el('header', {},
        el('h3', {}, p.name),
        el('span', { class: 'nid', title: 'Fødselsnummer, masked' }, p.nationalId),
        el('nav', { 'aria-label': 'FHIR data of ' + p.name },
          link(p.links.observations, 'All observations'),
          link(p.links.lastn, 'Latest of each kind ($lastn)'),
          link(p.links.patient, 'Patient')));
      if (p.readings.length === 0) {
        return el('article', { class: 'patient' }, head, el('p', { class: 'empty' }, 'No readings yet.'));
      }
      const rows = p.readings.map(r => el('tr', {},
        el('td', { class: 'kind' }, link(r.observation, r.label)),
        el('td', { class: 'value' }, r.value === null ? '?' : r.value, ' ', el('span', { class: 'unit' }, r.unit || '')),
        el('td', { class: 'measured' }, when(r.effective),
          r.deviceClockWrong ? el('span', { class: 'sub flag' }, 'device clock wrong: time of receipt') : null),
        el('td', {}, r.device, el('span', { class: 'sub' }, r.vendor))));
      return el('article', { class: 'patient' }, head,
        el('table', {},
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col', class: 'kind' }, 'Kind'), el('th', { scope: 'col', class: 'value' }, 'Value'),
            el('th', { scope: 'col', class: 'measured' }, 'Measured'), el('th', { scope: 'col' }, 'Device and vendor'))),
          el('tbody', {}, ...rows)));
    });
    if (cards.length === 0) {
      cards.push(el('p', { class: 'empty' }, latestUrl === FIRST_PAGE ? 'No patients registered yet.' : 'No more patients.'));
    }
    $('patients').replaceChildren(...cards);
    $('next-page').hidden = !page.next;
    $('next-page').dataset.href = page.next || '';
    $('first-page').hidden = latestUrl === FIRST_PAGE;
  }

  /** Liveness (the ingest writers) and readiness (the database), as /q/health reports them; null: no answer. */
  function showHealth(h) {
    const pill = $('health');
    const down = h ? (h.checks || []).filter(c => c.status !== 'UP').map(c => c.name) : [];
    if (!h) {
      pill.className = 'pill pill-bad';
      pill.textContent = 'Hub not answering';
    } else if (h.status === 'UP') {
      pill.className = 'pill pill-ok';
      pill.textContent = 'Hub running';
    } else {
      pill.className = 'pill pill-bad';
      pill.textContent = 'Hub needs attention: ' + (down.length ? down.join(', ') + ' down' : h.status);
    }
    pill.title = h ? (h.checks || []).map(c => c.name + ': ' + c.status).join('\n') : '';
  }

  async function refresh() {
    clearTimeout(timer);
    const health = json('/q/health', true).then(showHealth, () => showHealth(null));
    try {
      const [vendors, latest] = await Promise.all([json('/status/vendors'), json(latestUrl)]);
      // The total of the vendors' counts, from the same snapshot: the top line always adds up to the table.
      showCounts(vendors.total);
      showVendors(vendors);
      showPatients(latest);
      $('updated').textContent = clock.format(new Date());
      $('offline').hidden = true;
      document.body.classList.remove('stale');
    } catch (e) {
      $('offline').hidden = false;
      document.body.classList.add('stale');
    }
    await health;
    // A hidden tab asks nothing; it catches up when shown again.
    if (!document.hidden) {
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  document.addEventListener('visibilitychange', () => { if (!document.hidden) { refresh(); } });
  $('next-page').addEventListener('click', e => {
    const href = e.currentTarget.dataset.href;
    if (href && href.startsWith('/status/latest')) {
      latestUrl = href;
      refresh();
    }
  });
  $('first-page').addEventListener('click', () => { latestUrl = FIRST_PAGE; refresh(); });
  refresh();
})();
