//! `store` keeps profiles and the persisted session with atomic writes, so a killed app
//! resumes at the same step with its deadline intact.
