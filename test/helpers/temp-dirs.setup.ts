// A setup file: its hooks apply to every test file, and it shares the test file's modules, so this removes
// what that file's tempDir() calls made once its last test has run.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

afterAll(removeTempDirs);
