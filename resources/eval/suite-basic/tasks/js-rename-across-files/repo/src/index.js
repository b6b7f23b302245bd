export { getUsr } from './users.js';
export { describeUser } from './report.js';
