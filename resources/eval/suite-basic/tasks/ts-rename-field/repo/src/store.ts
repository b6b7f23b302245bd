import type { User } from './types.ts';

const users: User[] = [];

export function addUser(id: number, userName: string, email: string): User {
  const user: User = { id, userName, email };
  users.push(user);
  return user;
}

export function findByName(userName: string): User | undefined {
  return users.find((u) => u.userName === userName);
}
