import { getUser } from './users.js';

/** One line about a user, or a note that there is none. */
export function describeUser(id) {
  const user = getUser(id);
  return user ? `#${user.id} ${user.name}` : `no user ${id}`;
}
