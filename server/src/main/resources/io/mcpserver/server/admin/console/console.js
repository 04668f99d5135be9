// The console: polls the admin API every few seconds and draws what it returns. No framework; uPlot for charts.
(function () {
  'use strict';

  const REFRESH_MS = 2000;
  const WINDOW_SECONDS = 300;

  // With security on, the page was opened with ?access_token=…: send it as a bearer header, keep it out of the
  // address bar (and so out of screenshots and history).
  const params = new URLSearchParams(location.search);
  const token = params.get('access_token');
  if (token) {
    history.replaceState(null, '', location.pathname);
  }
  const headers = token ? { Authorization: 'Bearer ' + token } : {};

  const $ = (id) => document.getElementById(id);
  let charts = null;
  let connections = [];

  async function api(method, path) {
    const res = await fetch(path, { method, headers, cache: 'no-store' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error((body.error && body.error.message) || (method + ' ' + path + ': HTTP ' + res.status));
    }
    return body;
  }

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) {
      td.className = className;
    }
    return td;
  }

  function fill(tableId, rows, columns, emptyText, extra) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren();
    if (rows.length === 0) {
      const row = body.insertRow();
      const td = cell(row, emptyText, 'empty');
      td.colSpan = $(tableId).tHead.rows[0].cells.length;
      return;
    }
    for (const item of rows) {
      const row = body.insertRow();
      row.dataset.id = item.id || item.name || '';
      columns.forEach((column) => cell(row, column(item)));
      if (extra) {
        extra(row, item);
      }
    }
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }

  function options(select, values) {
    const current = select.value;
    const wanted = [''].concat(values);
    if (Array.from(select.options).map((o) => o.value).join('\n') === wanted.join('\n')) {
      return;
    }
    select.replaceChildren();
    wanted.forEach((v) => select.add(new Option(v === '' ? 'all' : v, v)));
    select.value = wanted.includes(current) ? current : '';
  }

  function renderConnections() {
    const transport = $('filter-transport').value;
    const principal = $('filter-principal').value;
    const shown = connections.filter((c) => (!transport || c.transport === transport)
        && (!principal || c.principal === principal));
    $('connections-count').textContent = '(' + shown.length + ' of ' + connections.length + ')';
    fill('connections', shown, [
      (c) => c.id, (c) => (c.state === 'detached' ? c.transport + ' (detached)' : c.transport), (c) => c.principal,
      (c) => [c.client.name, c.client.version].filter(Boolean).join(' '),
      (c) => c.protocolVersion, (c) => c.remote, (c) => time(c.openedAt), (c) => time(c.lastActivity),
      (c) => c.inFlight, (c) => c.subscriptions.join(', ')
    ], 'No client is connected.', (row, c) => {
      const td = row.insertCell();
      if (c.closable) {
        const button = document.createElement('button');
        button.textContent = 'Close';
        button.title = 'Close this connection and cancel its running calls';
        button.addEventListener('click', () => {
          if (confirm('Close ' + c.id + ' (' + c.principal + ')? Its running calls are cancelled.')) {
            api('DELETE', '/admin/connections/' + encodeURIComponent(c.id)).then(refresh, showError);
          }
        });
        td.appendChild(button);
      }
    });
  }

  function renderTiles(body) {
    const tiles = $('tiles');
    tiles.replaceChildren();
    const add = (n, label) => {
      const div = document.createElement('div');
      div.className = 'tile';
      div.dataset.transport = label;
      const count = document.createElement('div');
      count.className = 'n';
      count.textContent = n;
      const text = document.createElement('div');
      text.className = 'label';
      text.textContent = label;
      div.append(count, text);
      tiles.appendChild(div);
    };
    add(body.total, 'connections');
    Object.entries(body.byTransport).forEach(([transport, n]) => add(n, transport));
  }

  function renderPlugins(body) {
    fill('plugins', body.plugins, [
      (p) => p.name, (p) => p.version, (p) => p.state, (p) => p.tools.join(', '), (p) => p.resources.join(', '),
      (p) => p.prompts.join(', '), (p) => p.reason
    ], 'No plugins.', (row, p) => {
      row.cells[2].className = 'state-' + p.state;
      const td = row.insertCell();
      if (p.source) {
        const button = document.createElement('button');
        button.textContent = 'Reload';
        button.addEventListener('click', () => {
          api('POST', '/admin/plugins/' + encodeURIComponent(p.name) + '/reload').then(refresh, showError);
        });
        td.appendChild(button);
      }
    });
  }

  function chart(element, series, data) {
    return new uPlot({
      width: Math.max(360, Math.min(640, (document.body.clientWidth - 80) / 2)),
      height: 220,
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      series: [{}].concat(series)
    }, data, element);
  }

  function renderActivity(body) {
    const t = body.series.map((p) => p.t);
    const rate = [t, body.series.map((p) => p.requests), body.series.map((p) => p.errors)];
    const latency = [t, body.series.map((p) => p.requests ? p.meanMs : null),
      body.series.map((p) => p.requests ? p.maxMs : null)];
    if (!charts) {
      charts = {
        rate: chart($('chart-rate'), [
          { label: 'requests/s', stroke: '#2f6fde', fill: 'rgba(47,111,222,.12)' },
          { label: 'errors/s', stroke: '#d0312d' }], rate),
        latency: chart($('chart-latency'), [
          { label: 'mean ms', stroke: '#2a9d5c', spanGaps: false },
          { label: 'max ms', stroke: '#e08a00', spanGaps: false }], latency)
      };
    } else {
      charts.rate.setData(rate);
      charts.latency.setData(latency);
    }
    fill('errors', body.errors, [
      (e) => time(e.time), (e) => e.transport, (e) => e.clientId, (e) => e.principal, (e) => e.method,
      (e) => e.target, (e) => e.code, (e) => e.message
    ], 'No errors recently.');
  }

  function showError(e) {
    $('status').textContent = e.message;
    $('status').className = 'status error';
  }

  async function refresh() {
    try {
      const [conn, plugins, activity] = await Promise.all([
        api('GET', '/admin/connections?limit=1000'),
        api('GET', '/admin/plugins'),
        api('GET', '/admin/activity?seconds=' + WINDOW_SECONDS)
      ]);
      connections = conn.connections;
      options($('filter-transport'), Object.keys(conn.byTransport));
      options($('filter-principal'), Array.from(new Set(connections.map((c) => c.principal))).sort());
      renderTiles(conn);
      renderConnections();
      renderPlugins(plugins);
      renderActivity(activity);
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString()
          + (conn.nextCursor ? ' (showing the first ' + conn.connections.length + ' connections)' : '');
      $('status').className = 'status';
      document.body.dataset.loaded = 'true';
    } catch (e) {
      showError(e);
    }
  }

  $('filter-transport').addEventListener('change', renderConnections);
  $('filter-principal').addEventListener('change', renderConnections);
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
