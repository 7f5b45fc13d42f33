//! Production credentials from AWS Secrets Manager.
//!
//! Everything about where AWS lives comes from the SDK's standard settings:
//! credentials from the default chain (environment, profile files, SSO, web
//! identity, container, instance metadata), the endpoint from
//! `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SECRETS_MANAGER` or the profile's
//! `endpoint_url`. There is no other code path, tests included.
//!
//! The secret value is held in [`SecretUrl`], which never prints itself;
//! errors name the secret id and the keys at fault, never a value.

mod parse;

use std::fmt;
use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_secretsmanager::config::ProvideCredentials;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;

pub use parse::{url_from_content, ContentError};

/// Bound on the whole lookup (credentials + request), so a missing network or
/// unreachable instance metadata service degrades quickly instead of hanging.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Environment variable overriding [`DEFAULT_TIMEOUT`] (whole seconds).
pub const TIMEOUT_VAR: &str = "DRIFTCHECK_SECRET_TIMEOUT";

/// Bound on connecting to the Secrets Manager endpoint (within the whole lookup's).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which secret to read and how to reach AWS. `region`/`profile` override the
/// SDK's own resolution (`AWS_REGION`, `AWS_PROFILE`, `~/.aws/config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRequest {
    pub secret_id: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Upper bound for the whole lookup; [`DEFAULT_TIMEOUT`] unless
    /// `DRIFTCHECK_SECRET_TIMEOUT` says otherwise.
    pub timeout: Duration,
}

impl SecretRequest {
    pub fn new(secret_id: impl Into<String>) -> Self {
        SecretRequest {
            secret_id: secret_id.into(),
            region: None,
            profile: None,
            timeout: crate::database::connect::timeout_from_env(TIMEOUT_VAR, DEFAULT_TIMEOUT),
        }
    }
}

/// A connection URL that may hold a password. `Debug` and `Display` redact it;
/// only the database connector should call [`SecretUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: String) -> Self {
        SecretUrl(url)
    }

    /// The real URL, for handing to the connector and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretUrl(<redacted>)")
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where the SDK looks for credentials, for the `NoCredentials` message.
const CREDENTIAL_SOURCES: &str = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
     the profile in ~/.aws/credentials and ~/.aws/config (AWS_PROFILE, SSO, role assumption, credential_process), \
     web identity (AWS_WEB_IDENTITY_TOKEN_FILE), container credentials (AWS_CONTAINER_CREDENTIALS_*) \
     and EC2 instance metadata";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("AWS Secrets Manager secret `{secret_id}` was not found in region {region}; check the secret id, --aws-region and the account your credentials belong to")]
    NotFound { secret_id: String, region: String },

    #[error("AWS Secrets Manager secret `{secret_id}` is scheduled for deletion and cannot be read; restore it with `aws secretsmanager restore-secret --secret-id {secret_id}`")]
    ScheduledForDeletion { secret_id: String },

    #[error("access to AWS Secrets Manager secret `{secret_id}` was denied: {detail}")]
    AccessDenied { secret_id: String, detail: String },

    #[error("no AWS credentials found to read secret `{secret_id}` (profile {profile}): looked at {sources}; {detail}")]
    NoCredentials {
        secret_id: String,
        profile: String,
        sources: &'static str,
        detail: String,
    },

    #[error("no AWS region for secret `{secret_id}`: pass --aws-region, set AWS_REGION, or set `region` in the AWS profile")]
    NoRegion { secret_id: String },

    #[error("AWS Secrets Manager secret `{secret_id}` is not usable as database credentials: {reason}{}",
        missing_suffix(.missing))]
    Malformed {
        secret_id: String,
        missing: Vec<&'static str>,
        reason: String,
    },

    #[error("reading AWS Secrets Manager secret `{secret_id}` timed out after {seconds} s")]
    Timeout { secret_id: String, seconds: u64 },

    #[error("cannot reach AWS Secrets Manager at {endpoint} to read secret `{secret_id}`: {reason}; check the network path (VPN, proxy, VPC endpoint) and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SECRETS_MANAGER / the profile's endpoint_url")]
    Unreachable {
        secret_id: String,
        endpoint: String,
        reason: String,
    },

    #[error("reading AWS Secrets Manager secret `{secret_id}` failed: {reason}")]
    Other { secret_id: String, reason: String },
}

fn missing_suffix(missing: &[&str]) -> String {
    if missing.is_empty() {
        String::new()
    } else {
        let keys: Vec<String> = missing.iter().map(|key| format!("`{key}`")).collect();
        format!("; missing key(s): {}", keys.join(", "))
    }
}

impl SecretError {
    /// Stable code for JSON output and reports.
    pub fn reason_code(&self) -> &'static str {
        match self {
            SecretError::NotFound { .. } => "secret_not_found",
            SecretError::ScheduledForDeletion { .. } => "secret_scheduled_for_deletion",
            SecretError::AccessDenied { .. } => "access_denied",
            SecretError::NoCredentials { .. } => "no_aws_credentials",
            SecretError::NoRegion { .. } => "no_aws_region",
            SecretError::Malformed { .. } => "malformed_secret",
            SecretError::Timeout { .. } => "timeout",
            SecretError::Unreachable { .. } => "secrets_unreachable",
            SecretError::Other { .. } => "aws_error",
        }
    }

    pub fn secret_id(&self) -> &str {
        match self {
            SecretError::NotFound { secret_id, .. }
            | SecretError::ScheduledForDeletion { secret_id }
            | SecretError::AccessDenied { secret_id, .. }
            | SecretError::NoCredentials { secret_id, .. }
            | SecretError::NoRegion { secret_id }
            | SecretError::Malformed { secret_id, .. }
            | SecretError::Timeout { secret_id, .. }
            | SecretError::Unreachable { secret_id, .. }
            | SecretError::Other { secret_id, .. } => secret_id,
        }
    }
}

/// Read the secret and turn it into a connection URL.
pub async fn production_url(request: &SecretRequest) -> Result<SecretUrl, SecretError> {
    let timed_out = || SecretError::Timeout {
        secret_id: request.secret_id.clone(),
        seconds: request.timeout.as_secs().max(1),
    };
    match tokio::time::timeout(request.timeout, fetch(request)).await {
        Ok(result) => result,
        Err(_) => Err(timed_out()),
    }
}

async fn fetch(request: &SecretRequest) -> Result<SecretUrl, SecretError> {
    let secret_id = request.secret_id.clone();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(request.timeout))
            .operation_timeout(request.timeout)
            .build(),
    );
    if let Some(region) = &request.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &request.profile {
        loader = loader.profile_name(profile);
    }
    let sdk_config = loader.load().await;

    let Some(region) = sdk_config.region().map(|r| r.to_string()) else {
        return Err(SecretError::NoRegion { secret_id });
    };

    // Resolve credentials ourselves first: the chain's own error says which
    // kind of failure it was, which the request error would blur.
    let profile = request
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".to_string());
    let Some(provider) = sdk_config.credentials_provider() else {
        return Err(no_credentials(
            &secret_id,
            profile,
            "no credential provider is configured".into(),
        ));
    };
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|error| credentials_error(&secret_id, profile, error))?;

    let config = aws_sdk_secretsmanager::config::Builder::from(&sdk_config)
        .credentials_provider(credentials)
        .build();
    let client = aws_sdk_secretsmanager::Client::from_conf(config);
    let output = client
        .get_secret_value()
        .secret_id(&secret_id)
        .send()
        .await
        .map_err(|error| {
            let endpoint = endpoint(&sdk_config, &region);
            request_error(&secret_id, &region, &endpoint, error, request.timeout)
        })?;

    let content = if let Some(text) = output.secret_string() {
        text.to_string()
    } else if let Some(blob) = output.secret_binary() {
        String::from_utf8(blob.as_ref().to_vec()).map_err(|_| SecretError::Malformed {
            secret_id: secret_id.clone(),
            missing: Vec::new(),
            reason: "SecretBinary is not UTF-8 text".to_string(),
        })?
    } else {
        return Err(SecretError::Malformed {
            secret_id,
            missing: Vec::new(),
            reason: "the secret has neither SecretString nor SecretBinary".to_string(),
        });
    };
    url_from_content(&content)
        .map(SecretUrl::new)
        .map_err(|error| SecretError::Malformed {
            secret_id,
            missing: error.missing,
            reason: error.reason,
        })
}

fn no_credentials(secret_id: &str, profile: String, detail: String) -> SecretError {
    SecretError::NoCredentials {
        secret_id: secret_id.to_string(),
        profile,
        sources: CREDENTIAL_SOURCES,
        detail,
    }
}

fn credentials_error(secret_id: &str, profile: String, error: CredentialsError) -> SecretError {
    let detail = match &error {
        CredentialsError::CredentialsNotLoaded(_) => {
            "none of them provided credentials".to_string()
        }
        CredentialsError::ProviderTimedOut(_) => {
            "the credential providers did not answer in time".to_string()
        }
        _ => format!(
            "the credential chain failed: {}",
            DisplayErrorContext(&error)
        ),
    };
    no_credentials(secret_id, profile, detail)
}

/// The endpoint the request went to, for messages: the service's own
/// `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else the general endpoint (environment
/// or profile), else AWS's regional one.
fn endpoint(sdk_config: &aws_config::SdkConfig, region: &str) -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .or_else(|| sdk_config.endpoint_url().map(str::to_string))
        .unwrap_or_else(|| format!("https://secretsmanager.{region}.amazonaws.com"))
}

/// The innermost cause of an error: "Connection refused (os error 111)"
/// rather than the SDK's nested dump.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Map a `GetSecretValue` failure to what the user has to do about it.
fn request_error<R>(
    secret_id: &str,
    region: &str,
    endpoint: &str,
    error: SdkError<GetSecretValueError, R>,
    timeout: Duration,
) -> SecretError
where
    R: fmt::Debug + 'static,
{
    let secret_id = secret_id.to_string();
    match &error {
        SdkError::TimeoutError(_) => {
            return SecretError::Timeout {
                secret_id,
                seconds: timeout.as_secs().max(1),
            }
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            return SecretError::Timeout {
                secret_id,
                seconds: timeout.as_secs().max(1),
            }
        }
        // No answer at all: refused, reset, DNS.
        SdkError::DispatchFailure(failure) if failure.is_io() => {
            return SecretError::Unreachable {
                secret_id,
                endpoint: endpoint.to_string(),
                reason: root_cause(&error),
            }
        }
        _ => {}
    }
    let Some(service) = error.as_service_error() else {
        return SecretError::Other {
            secret_id,
            reason: DisplayErrorContext(&error).to_string(),
        };
    };
    let message = service.message().unwrap_or("").to_string();
    match service {
        GetSecretValueError::ResourceNotFoundException(_) => SecretError::NotFound {
            secret_id,
            region: region.to_string(),
        },
        GetSecretValueError::InvalidRequestException(invalid)
            if mentions_deletion(invalid.message().unwrap_or(&message)) =>
        {
            SecretError::ScheduledForDeletion { secret_id }
        }
        _ => match service.code() {
            Some(code @ ("AccessDeniedException" | "AccessDenied")) => SecretError::AccessDenied {
                secret_id,
                detail: with_code(code, &message),
            },
            Some(
                code @ ("UnrecognizedClientException"
                | "InvalidClientTokenId"
                | "InvalidSignatureException"
                | "ExpiredTokenException"),
            ) => SecretError::AccessDenied {
                secret_id,
                detail: format!(
                    "AWS rejected the credentials ({}); refresh them (e.g. `aws sso login`)",
                    with_code(code, &message)
                ),
            },
            code => SecretError::Other {
                secret_id,
                reason: with_code(code.unwrap_or("unknown error"), &message),
            },
        },
    }
}

fn mentions_deletion(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("deletion") || message.contains("deleted")
}

fn with_code(code: &str, message: &str) -> String {
    if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_secretsmanager::error::ErrorMetadata;
    use aws_sdk_secretsmanager::types::error::{
        InvalidRequestException, ResourceNotFoundException,
    };

    /// The raw response plays no part in the mapping, so `()` stands in for it.
    fn service_error(error: GetSecretValueError) -> SdkError<GetSecretValueError, ()> {
        SdkError::service_error(error, ())
    }

    const ID: &str = "credmate/prod/db-credentials";
    const ENDPOINT: &str = "https://secretsmanager.us-east-1.amazonaws.com";

    #[test]
    fn access_denied_is_mapped_from_its_error_code() {
        // moto does not enforce IAM by default, so this mapping is checked on a
        // constructed SDK error shaped like the real AWS answer.
        let error = GetSecretValueError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("User: arn:aws:iam::123:user/dev is not authorized to perform: secretsmanager:GetSecretValue")
                .build(),
        );
        let mapped = request_error(
            ID,
            "us-east-1",
            ENDPOINT,
            service_error(error),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "access_denied");
        let text = mapped.to_string();
        assert!(text.contains(ID), "{text}");
        assert!(text.contains("not authorized"), "{text}");
    }

    #[test]
    fn rejected_credentials_are_access_denied() {
        let error = GetSecretValueError::generic(
            ErrorMetadata::builder()
                .code("UnrecognizedClientException")
                .message("The security token included in the request is invalid.")
                .build(),
        );
        let mapped = request_error(
            ID,
            "us-east-1",
            ENDPOINT,
            service_error(error),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "access_denied");
        assert!(mapped.to_string().contains("rejected the credentials"));
    }

    #[test]
    fn not_found_and_deletion_are_mapped() {
        let error = GetSecretValueError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("Secrets Manager can't find the specified secret.")
                .build(),
        );
        let mapped = request_error(
            ID,
            "eu-west-1",
            ENDPOINT,
            service_error(error),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "secret_not_found");
        assert!(mapped.to_string().contains("eu-west-1"));

        let error = GetSecretValueError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("You can't perform this operation on the secret because it was marked for deletion.")
                .build(),
        );
        let mapped = request_error(
            ID,
            "eu-west-1",
            ENDPOINT,
            service_error(error),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "secret_scheduled_for_deletion");

        let error = GetSecretValueError::InvalidRequestException(
            InvalidRequestException::builder()
                .message("something else")
                .build(),
        );
        let mapped = request_error(
            ID,
            "eu-west-1",
            ENDPOINT,
            service_error(error),
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "aws_error");
    }

    #[test]
    fn unanswered_requests_are_unreachable_or_timeout_not_aws_error() {
        use aws_sdk_secretsmanager::error::ConnectorError;
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        let error = SdkError::<GetSecretValueError, ()>::dispatch_failure(ConnectorError::io(
            Box::new(refused),
        ));
        let mapped = request_error(
            ID,
            "us-east-1",
            "http://127.0.0.1:9",
            error,
            DEFAULT_TIMEOUT,
        );
        assert_eq!(mapped.reason_code(), "secrets_unreachable");
        assert_eq!(
            mapped.to_string(),
            format!("cannot reach AWS Secrets Manager at http://127.0.0.1:9 to read secret `{ID}`: \
                     Connection refused (os error 111); check the network path (VPN, proxy, VPC endpoint) \
                     and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SECRETS_MANAGER / the profile's endpoint_url")
        );

        let slow = std::io::Error::from(std::io::ErrorKind::TimedOut);
        let error = SdkError::<GetSecretValueError, ()>::dispatch_failure(ConnectorError::timeout(
            Box::new(slow),
        ));
        let mapped = request_error(ID, "us-east-1", ENDPOINT, error, Duration::from_secs(4));
        assert_eq!(mapped.reason_code(), "timeout");
        assert!(
            mapped.to_string().ends_with("timed out after 4 s"),
            "{mapped}"
        );
    }

    #[test]
    fn secret_url_never_prints_its_value() {
        let url = SecretUrl::new("postgresql://u:hunter2@h/db".to_string());
        assert_eq!(format!("{url:?}"), "SecretUrl(<redacted>)");
        assert_eq!(format!("{url}"), "<redacted>");
        assert_eq!(url.expose(), "postgresql://u:hunter2@h/db");
    }

    #[test]
    fn malformed_message_names_missing_keys() {
        let error = SecretError::Malformed {
            secret_id: ID.to_string(),
            missing: vec!["password", "host"],
            reason: "incomplete".to_string(),
        };
        assert_eq!(
            error.to_string(),
            format!("AWS Secrets Manager secret `{ID}` is not usable as database credentials: incomplete; missing key(s): `password`, `host`")
        );
    }
}
