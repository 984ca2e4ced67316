import { useEffect, useState } from 'preact/hooks';

/** The hash route as path segments: `#/users/abc` -> ['users', 'abc']. */
const segments = () =>
  location.hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);

export function useRoute(): string[] {
  const [route, setRoute] = useState(segments);
  useEffect(() => {
    const onChange = () => setRoute(segments());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

export const navigate = (...parts: string[]) => {
  location.hash = href(...parts);
};
