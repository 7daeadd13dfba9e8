export const id = 665;
export const ids = [665,308];
export const modules = {

/***/ 7665:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   findPullRequest: () => (/* binding */ findPullRequest)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3838);
/* harmony import */ var _behind_run_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9750);
/* harmony import */ var _post_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1308);
/**
 * Edge: finds the pull request behind a fork's workflow_run through the REST API
 * (`GET /repos/{owner}/{repo}/pulls?head=owner:branch&state=open`, every page up to a bound),
 * with @actions/github imported only here, as post.ts does. Never fails the step: a token that
 * may not list pull requests gives one notice, anything else one warning, and no comment.
 */



/** Pages of 100: a head branch with more open pull requests than this is not worth reading. */
const MAX_PAGES = 10;
async function findPullRequest(token, query) {
    const [owner, repo] = query.repository.split('/');
    try {
        const { getOctokit } = await __webpack_require__.e(/* import() */ 624).then(__webpack_require__.bind(__webpack_require__, 7624));
        const octokit = getOctokit(token);
        const pulls = [];
        await (0,_post_js__WEBPACK_IMPORTED_MODULE_2__/* .withRetries */ .L)('Finding the pull request behind the run', async () => {
            pulls.length = 0;
            let pages = 0;
            for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, {
                owner,
                repo,
                head: query.head,
                state: 'open',
                per_page: 100,
            })) {
                // Untrusted: a page that is not a list adds nothing.
                if (Array.isArray(page.data))
                    pulls.push(...page.data);
                if (++pages >= MAX_PAGES)
                    break;
            }
        });
        const found = (0,_behind_run_js__WEBPACK_IMPORTED_MODULE_1__/* .matchPullRequest */ .C)(pulls, query);
        if ('line' in found) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(found.line);
            return undefined;
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(`The run behind this workflow_run belongs to pull request #${found.number} (${query.head} into ${found.baseRef}).`);
        return found;
    }
    catch (error) {
        const status = error.status;
        if (status === 403 || status === 404) {
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.notice(`No pull-request comment: the token may not list the pull requests of ${query.repository} (GitHub answered ${status}), so the pull request behind this workflow_run (from ${query.head}) is unknown. Give the job \`permissions: pull-requests: write\` (see docs/reporting.md).`);
            return undefined;
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_0__.warning(`No pull-request comment: looking up the pull request behind this workflow_run failed: ${error.message}`);
        return undefined;
    }
}


/***/ }),

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
