// Knutepunkt status page: polls the hub's JSON every few seconds and shows it. Plain DOM, no
// libraries, nothing loaded from elsewhere. Every value from the hub is set as text (device serials
// and vendor ids come from vendors), never parsed as markup.
'use strict';

(function () {
  const REFRESH_MS = 5000;
  // Tells Quarkus OIDC this is a script: an ended session is answered 499, not a redirect to sign in.
  const HEADERS = { Accept: 'application/json', 'X-Requested-With': 'JavaScript' };
  const FIRST_PAGE = '/status/latest';

  const numbers = new Intl.NumberFormat('nb-NO');
  const rates = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 1 });
  const times = new Intl.DateTimeFormat('nb-NO', { dateStyle: 'medium', timeStyle: 'short' });
  const clock = new Intl.DateTimeFormat('nb-NO', { timeStyle: 'medium' });
  const minute = new Intl.DateTimeFormat('nb-NO', { timeStyle: 'short' });

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
    if (s < 60) { return s <= 1 ? 'nå' : s + ' s siden'; }
    const m = Math.round(s / 60);
    if (m < 60) { return m + ' min siden'; }
    const h = Math.round(m / 60);
    if (h < 48) { return h + ' t siden'; }
    return Math.round(h / 24) + ' dager siden';
  }

  function when(iso) {
    return iso ? el('span', {}, times.format(new Date(iso)), el('span', { class: 'sub' }, ago(iso))) : '–';
  }

  /** @param answersWhenDown the health endpoint answers 503 with its checks when one is down */
  /** The signed-in caller (the page's session cookie), or null when nobody is. */
  async function signedIn() {
    const r = await fetch('/api/me', { headers: HEADERS, cache: 'no-store' });
    // 499: a page session that has run out (the hub answers so instead of redirecting a script to sign in).
    if (r.status === 401 || r.status === 499) {
      return null;
    }
    if (!r.ok) {
      throw new Error('/api/me: HTTP ' + r.status);
    }
    return r.json();
  }

  async function json(url, answersWhenDown) {
    const r = await fetch(url, { headers: HEADERS, cache: 'no-store' });
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
      b.textContent = '✓ I balanse: mottatt = lagret + duplikat + parkert + avvist.';
    } else {
      const missing = readings.received - readings.stored - readings.duplicate - readings.parked - readings.deadLettered;
      b.className = 'balance bad';
      b.textContent = '✗ Tallene går ikke opp (' + num(missing) + ' målinger uten forklaring). '
        + 'Se /status/reconciliation og knutepunktets logg.';
    }
  }

  function showVendors(v) {
    // The window starts on a whole minute, so its length varies by up to a minute: name its start.
    const since = minute.format(new Date(v.window.since));
    $('recent-head').textContent = 'Siden ' + since;
    $('window-note').textContent = 'Siden ' + since + ': målinger mottatt de siste minuttene, '
      + 'og raten per minutt i den tiden.';
    const rows = v.vendors.map(x => el('tr', {},
      el('td', {}, x.name || x.id,
        x.registered ? el('span', { class: 'sub' }, x.id) : el('span', { class: 'sub flag' }, 'ikke registrert: avvist')),
      el('td', { class: 'num' }, num(x.counts.received),
        x.counts.balanced ? null : el('span', { class: 'sub bad-text' }, 'går ikke opp')),
      el('td', { class: 'num' }, num(x.counts.stored)),
      el('td', { class: 'num' }, num(x.counts.duplicate)),
      el('td', { class: 'num' }, num(x.counts.parked)),
      el('td', { class: 'num' }, num(x.counts.deadLettered)),
      el('td', { class: 'num' }, num(x.recent.received),
        el('span', { class: 'sub' }, rates.format(x.recent.receivedPerMinute) + ' / min')),
      el('td', {}, x.lastReceivedAt ? when(x.lastReceivedAt) : 'ingen ennå')));
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', { colspan: 8, class: 'empty' }, 'Ingen leverandører registrert ennå.')));
    }
    $('vendors').replaceChildren(...rows);
  }

  function showPatients(page) {
    const cards = page.patients.map(p => {
      const head = el('header', {},
        el('h3', {}, p.name),
        el('span', { class: 'nid', title: 'Fødselsnummer, maskert' }, p.nationalId),
        el('nav', { 'aria-label': 'FHIR-data for ' + p.name },
          link(p.links.observations, 'Alle målinger'),
          link(p.links.lastn, 'Siste av hver type ($lastn)'),
          link(p.links.patient, 'Pasient')));
      if (p.readings.length === 0) {
        return el('article', { class: 'patient' }, head, el('p', { class: 'empty' }, 'Ingen målinger ennå.'));
      }
      const rows = p.readings.map(r => el('tr', {},
        el('td', { class: 'kind' }, link(r.observation, r.label)),
        el('td', { class: 'value' }, r.value === null ? '?' : r.value, ' ', el('span', { class: 'unit' }, r.unit || '')),
        el('td', { class: 'measured' }, when(r.effective),
          r.deviceClockWrong ? el('span', { class: 'sub flag' }, 'feil klokke i måleren: mottakstidspunkt') : null),
        el('td', {}, r.device, el('span', { class: 'sub' }, r.vendor))));
      return el('article', { class: 'patient' }, head,
        el('table', {},
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col', class: 'kind' }, 'Type'), el('th', { scope: 'col', class: 'value' }, 'Verdi'),
            el('th', { scope: 'col', class: 'measured' }, 'Målt'), el('th', { scope: 'col' }, 'Måler og leverandør'))),
          el('tbody', {}, ...rows)));
    });
    if (cards.length === 0) {
      cards.push(el('p', { class: 'empty' }, latestUrl === FIRST_PAGE ? 'Ingen pasienter å vise.' : 'Ingen flere pasienter.'));
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
      pill.textContent = 'Knutepunktet svarer ikke';
    } else if (h.status === 'UP') {
      pill.className = 'pill pill-ok';
      pill.textContent = 'Knutepunktet kjører';
    } else {
      pill.className = 'pill pill-bad';
      pill.textContent = 'Knutepunktet trenger tilsyn: ' + (down.length ? down.join(', ') + ' nede' : h.status);
    }
    pill.title = h ? (h.checks || []).map(c => c.name + ': ' + c.status).join('\n') : '';
  }

  async function refresh() {
    clearTimeout(timer);
    const health = json('/q/health', true).then(showHealth, () => showHealth(null));
    try {
      // Who is signed in decides what is asked: the counts for the operator, the patients for those
      // the access policy lets see them. Nobody signed in: a sign-in link, and no patient data asked for.
      const me = await signedIn();
      const roles = me ? me.roles : [];
      const counts = roles.includes('operator');
      const patients = roles.includes('clinician') || roles.includes('patient');
      $('sign-in').hidden = me !== null;
      $('signed-in').textContent = me ? (me.name || '') + (me.organisation ? ', ' + me.organisation.name : '') : '';
      $('counts-section').hidden = !counts;
      $('vendors-section').hidden = !counts;
      $('patients-section').hidden = !patients;
      const [vendors, latest] = await Promise.all([counts ? json('/status/vendors') : null, patients ? json(latestUrl) : null]);
      if (vendors) {
        // The total of the vendors' counts, from the same snapshot: the top line always adds up to the table.
        showCounts(vendors.total);
        showVendors(vendors);
      }
      if (latest) {
        showPatients(latest);
      }
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
