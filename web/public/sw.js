// Focus Coach service worker: shows Web Push notifications and opens their link on tap.
// Payload (JSON): {title, body, url, tag}; `url` is a path on this origin or an absolute URL.
self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Focus Coach';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === 'string' ? data.body : '',
      tag: typeof data.tag === 'string' ? data.tag : undefined,
      data: { url: typeof data.url === 'string' ? data.url : '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  let target;
  try {
    target = new URL(event.notification.data && event.notification.data.url ? event.notification.data.url : '/', self.location.origin);
  } catch {
    target = new URL('/', self.location.origin);
  }
  // Only ever open this app: a link to another origin is shown as the app's home instead.
  if (target.origin !== self.location.origin) target = new URL('/', self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const w of windows) {
        if (w.url === target.href && 'focus' in w) return w.focus();
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});
