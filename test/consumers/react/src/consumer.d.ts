// consumer.js is the shared page of the matrix (test/consumers/shared/main.js): side effects only.
export {};
