import type { User } from './types.ts';

const users: User[] = [];

export function addUser(id: number, username: string, email: string): User {
  const user: User = { id, username, email };
  users.push(user);
  return user;
}

export function findByName(username: string): User | undefined {
  return users.find((u) => u.username === username);
}
