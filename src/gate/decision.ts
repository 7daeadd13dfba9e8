/** The deploy gate's answer, with a reason a person can read. */
export interface Decision {
  deploy: boolean;
  /** Environment to deploy to; empty when not deploying or no mapping matched. */
  environment: string;
  /** One plain sentence, e.g. "not deploying: event pull_request is not one of push". */
  reason: string;
}
