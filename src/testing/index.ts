/**
 * `corbado-keepalive/testing`: a local fake of the Corbado Frontend API for tests and demos.
 *
 * @module
 */
export { startFakeCorbado } from './fake-corbado.js'
export type {
  FakeCall,
  FakeCorbado,
  FakeCorbadoOptions,
  FakeFault,
  FakeLoginOptions,
  FakeLoginResult,
  FakeMintOptions,
  FakeRoute,
} from './types.js'
