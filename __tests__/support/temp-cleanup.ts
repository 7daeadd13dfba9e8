/**
 * Runs after every test file (jest.config.js setupFilesAfterEnv): deletes the temp folders the
 * harness made for it (each run's runner temp, GITHUB_* files, workspace and tool cache, and the
 * folders of makeTempDir). Results point into them, so they last until the file's tests are done.
 */
import { removeTempFolders } from '../../tools/harness.js';

afterAll(() => removeTempFolders());
