import { useEffect, useReducer } from 'preact/hooks';

/** The signed-in developer's access token, kept for this browser tab only. */
export interface Session {
  token: string | null;
  /** Why the last session ended, when it was not the developer's choice (shown on the sign-in page). */
  notice: string | null;
}

const STORAGE_KEY = 'open-wearables.token';

const state: Session = { token: sessionStorage.getItem(STORAGE_KEY), notice: null };
const listeners = new Set<() => void>();

const changed = () => {
  for (const listener of listeners) listener();
};

export const currentToken = () => state.token;

export function signIn(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
  Object.assign(state, { token, notice: null });
  changed();
}

export function signOut(notice: string | null = null): void {
  sessionStorage.removeItem(STORAGE_KEY);
  Object.assign(state, { token: null, notice });
  changed();
}

/** The session, re-rendering the caller when it changes. */
export function useSession(): Session {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const listener = () => rerender(undefined);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return state;
}
