import { getUsr } from './users.js';

/** One line about a user, or a note that there is none. */
export function describeUser(id) {
  const user = getUsr(id);
  return user ? `#${user.id} ${user.name}` : `no user ${id}`;
}
