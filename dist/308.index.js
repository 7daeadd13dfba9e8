export const id = 308;
export const ids = [308];
export const modules = {

/***/ 1308:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* binding */ withRetries),
/* harmony export */   postComment: () => (/* binding */ postComment)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3838);
/**
 * Edge: writes the pull-request comment with @actions/github (Octokit), imported only here and
 * only when a comment is to be written, so the bundle's start-up does not pay for it. The one
 * comment carrying our marker is found (every page of the pull request's comments) and updated
 * in place, or created. Server errors and rate limits are retried a few times; a token that may
 * not write (a fork's pull request: 403) gives one notice. A comment never fails the step.
 */

const ATTEMPTS = 4;
/** Longest wait between attempts, whatever Retry-After says. */
const MAX_WAIT_MS = 20_000;
/** Whether an error is worth another attempt, and how long to wait first. */
function retryDelay(error, attempt) {
    const status = error.status ?? 0;
    const headers = error.response?.headers ?? {};
    const rateLimited = status === 429 ||
        (status === 403 &&
            (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined));
    if (!(status >= 500 || rateLimited))
        return undefined;
    const retryAfter = Number(headers['retry-after']);
    const reset = Number(headers['x-ratelimit-reset']);
    const wait = Number.isFinite(retryAfter)
        ? retryAfter * 1000
        : Number.isFinite(reset) && rateLimited
            ? reset * 1000 - Date.now()
            : 250 * 2 ** attempt;
    return Math.min(Math.max(wait, 0), MAX_WAIT_MS);
}
/** Runs `call`, again after a server error or a rate limit (at most ATTEMPTS times in all). */
async function withRetries(what, call) {
    for (let attempt = 1;; attempt++) {
        try {
            return await call();
        }
        catch (error) {
            const wait = retryDelay(error, attempt);
            if (wait === undefined || attempt >= ATTEMPTS)
                throw error;
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(`${what}: GitHub answered ${error.status}; trying again in ${Math.round(wait / 100) / 10} s.`);
            await new Promise((resolve) => setTimeout(resolve, wait));
        }
    }
}
/** Creates or updates the comment; returns what happened, for the log and tests. */
async function postComment(target) {
    const [owner, repo] = target.repository.split('/');
    try {
        const { getOctokit } = await __webpack_require__.e(/* import() */ 624).then(__webpack_require__.bind(__webpack_require__, 7624));
        const octokit = getOctokit(target.token);
        const issue = { owner, repo, issue_number: target.pullRequest };
        let existing;
        await withRetries('Finding the pull-request comment', async () => {
            for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
                ...issue,
                per_page: 100,
            })) {
                const found = page.data.find((comment) => (comment.body ?? '').includes(target.marker));
                if (found) {
                    existing = found.id;
                    return;
                }
            }
        });
        if (existing !== undefined) {
            const id = existing;
            await withRetries('Updating the pull-request comment', () => octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body: target.body }));
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(`Updated the results comment on pull request #${target.pullRequest}.`);
            return 'updated';
        }
        await withRetries('Writing the pull-request comment', () => octokit.rest.issues.createComment({ ...issue, body: target.body }));
        _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(`Wrote the results comment on pull request #${target.pullRequest}.`);
        return 'created';
    }
    catch (error) {
        const status = error.status;
        if (status === 403 || status === 404) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.notice(`No pull-request comment: the token may not write to pull request #${target.pullRequest} (GitHub answered ${status}; a pull request from a fork gets a read-only token). The job summary has the results; to comment on fork pull requests, see the workflow_run setup in docs/reporting.md.`);
            return 'forbidden';
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_0__.warning(`No pull-request comment: ${error.message}`);
        return 'failed';
    }
}


/***/ })

};
