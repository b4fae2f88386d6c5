export * from './roles';
export * from './caller';
export * from './api-key-secret';
export * from './credentials';
export * from './nest';
export * from './password';
export * from './sessions';
