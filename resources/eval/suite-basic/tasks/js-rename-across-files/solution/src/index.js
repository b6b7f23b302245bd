export { getUser } from './users.js';
export { describeUser } from './report.js';
