/** Plain HTML pages: no scripts from elsewhere, no fonts, so they render the same offline and in tests. */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:48px 16px}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:24px 28px}
h1{font-size:1.3rem;margin:0 0 4px}p.sub{color:#555;margin:0 0 20px;font-size:.9rem}
label{display:block;font-size:.85rem;margin:12px 0 4px}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:1rem;border:1px solid #bbb;border-radius:4px}
button,input[type=submit]{margin-top:18px;width:100%;padding:10px;font-size:1rem;background:#1f6feb;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary,input.secondary{background:#eee;color:#333}p.error{color:#b00020;font-size:.9rem}footer{color:#888;font-size:.75rem;text-align:center;margin-top:16px}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main><footer>Airlock dev IdP — for local development only</footer></body>
</html>`;
}

export function loginPage(opts: { uid: string; clientName: string; username?: string; error?: string }): string {
  const uid = encodeURIComponent(opts.uid);
  return page(
    'Sign in — Airlock dev IdP',
    `<h1>Sign in</h1>
<p class="sub">to continue to <strong>${escapeHtml(opts.clientName)}</strong></p>
${opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" type="text" autocapitalize="off" autofocus required value="${escapeHtml(opts.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit" id="sign-in">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><input type="submit" class="secondary" value="Cancel"></form>`,
  );
}

export function deviceInputPage(form: string, error?: string): string {
  return page(
    'Device sign-in — Airlock dev IdP',
    `<h1>Device sign-in</h1><p class="sub">Enter the code shown by the airlock CLI.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm device — Airlock dev IdP',
    `<h1>Confirm device</h1>
<p class="sub"><strong>${escapeHtml(clientName)}</strong> is asking to sign in. Check that it shows this code:</p>
<p style="font-size:1.6rem;text-align:center;letter-spacing:.1em"><code>${escapeHtml(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" class="secondary">Abort</button>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
