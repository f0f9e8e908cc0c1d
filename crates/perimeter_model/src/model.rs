//! The application model: what every loader produces and every rule reads.

use perimeter_diagnostics::{Loc, ScanError};
use serde::Serialize;

use crate::yaml::Node;

/// The descriptor format an application was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// Serverless Framework `serverless.yml|yaml|json`.
    Serverless,
    /// AWS SAM template.
    Sam,
    /// Plain CloudFormation (CDK output included).
    CloudFormation,
    /// Terraform.
    Terraform,
    /// AWS Chalice (`.chalice/config.json` and `app.py`).
    Chalice,
    /// Zappa (`zappa_settings.json`).
    Zappa,
    /// Azure Functions (`host.json`, `function.json`, `function_app.py`).
    Azure,
    /// No descriptor: a handler found by the platform's file and function naming convention
    /// (`lambda_function.py`, `index.js` exporting `handler`), of unknown trigger.
    Convention,
}

/// One serverless application: one descriptor and what it declares.
#[derive(Clone, Debug)]
pub struct Application {
    /// The descriptor's path relative to the scan root; the application's identity.
    pub id: String,
    /// The format it was read from.
    pub framework: Framework,
    /// The folder code paths are relative to (descriptor's folder), relative to the scan root
    /// (`""` for the root itself).
    pub root: String,
    /// The service or stack name, when declared.
    pub name: Option<String>,
    /// Functions.
    pub functions: Vec<Function>,
    /// Every other resource (queues, topics, buckets, tables, APIs, keys, ...).
    pub resources: Vec<Resource>,
    /// IAM roles (one per function in SAM, a shared provider role in Serverless, ...).
    pub roles: Vec<Role>,
    /// API definitions (REST, HTTP, WebSocket), with their stage settings.
    pub apis: Vec<Api>,
    /// Resource-based permissions to invoke functions (`AWS::Lambda::Permission`).
    pub permissions: Vec<LambdaPermission>,
    /// API methods that call an AWS service directly, with no function in between.
    pub service_routes: Vec<ServiceRoute>,
    /// Template parameters.
    pub parameters: Vec<Parameter>,
    /// Problems met while loading; the rest of the application still loaded.
    pub errors: Vec<ScanError>,
    /// What the user should know about how it was read that is not an error (a settings
    /// file read tolerantly, a sample configuration read in place of the real one).
    pub warnings: Vec<String>,
    /// The descriptor's root node (after variable resolution for Serverless).
    pub document: Option<Node>,
}

impl Application {
    /// An empty application for a descriptor.
    pub fn new(id: impl Into<String>, framework: Framework, root: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            framework,
            root: root.into(),
            name: None,
            functions: Vec::new(),
            resources: Vec::new(),
            roles: Vec::new(),
            apis: Vec::new(),
            permissions: Vec::new(),
            service_routes: Vec::new(),
            parameters: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            document: None,
        }
    }

    /// A function by its id.
    pub fn function(&self, id: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.id == id)
    }

    /// A resource by its logical id.
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// A role by its id.
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The role a function runs with, when the model knows it.
    pub fn role_of(&self, function: &Function) -> Option<&Role> {
        function.role.as_deref().and_then(|id| self.role(id))
    }
}

/// A function.
#[derive(Clone, Debug)]
pub struct Function {
    /// Name in the descriptor: the `functions:` key in Serverless, the logical id in
    /// SAM/CloudFormation, the resource address in Terraform.
    pub id: String,
    /// Where the function is declared (its key or logical id).
    pub loc: Loc,
    /// Deployed function name, when set.
    pub name: Option<Node>,
    /// The handler (`src/orders/create.main`, `app.lambda_handler`).
    pub handler: Option<Node>,
    /// The runtime (`nodejs20.x`, `python3.12`), after globals and provider defaults.
    pub runtime: Option<Node>,
    /// The code folder relative to the scan root (`CodeUri`, `Code`, package artifact
    /// folder); for Serverless, the application root.
    pub code_dir: Option<String>,
    /// The repository file that holds the handler's module when the package names it
    /// otherwise (a Terraform archive whose `index.py` is `templatefile("index.py.tpl")`):
    /// analysed in place of the module the handler names under `code_dir`.
    pub handler_file: Option<String>,
    /// Where the code lives, as the loader read it (a folder here is [`Function::code_dir`]).
    pub code: crate::code::CodeSource,
    /// Timeout in seconds, when set anywhere.
    pub timeout: Option<Node>,
    /// Memory in MB.
    pub memory: Option<Node>,
    /// Reserved concurrency.
    pub reserved_concurrency: Option<Node>,
    /// Provisioned concurrency.
    pub provisioned_concurrency: Option<Node>,
    /// Tracing setting (`Active`, `true`, `PassThrough`).
    pub tracing: Option<Node>,
    /// Environment variables, function-level over provider/global ones.
    pub environment: Vec<EnvVar>,
    /// The id of the role in [`Application::roles`] it runs with.
    pub role: Option<String>,
    /// Triggers.
    pub events: Vec<Event>,
    /// Function URL configuration.
    pub url: Option<FunctionUrl>,
    /// Layers.
    pub layers: Vec<Node>,
    /// Dead-letter queue or on-failure destination for asynchronous invocations.
    pub dead_letter: Option<Node>,
    /// Asynchronous invocation settings (retries, destinations).
    pub async_config: Option<Node>,
    /// KMS key for the environment.
    pub kms_key: Option<Node>,
    /// Log retention in days, when set.
    pub log_retention: Option<Node>,
    /// `RecursiveLoop` setting.
    pub recursive_loop: Option<Node>,
    /// Tags.
    pub tags: Option<Node>,
    /// Architecture, VPC and other settings, kept raw for rules.
    pub properties: Option<Node>,
    /// Output bindings (Azure Functions): names the code writes to, each designating a
    /// resource of the model.
    pub outputs: Vec<Output>,
    /// A debug switch of the function's web framework that is on, where it is set
    /// (`app.debug = True` of a Chalice app, `DEBUG = True` in the Django settings module a
    /// Zappa stage runs with): unhandled errors are answered with their details.
    pub debug: Option<Node>,
    /// Whether its triggers are unknown (no descriptor declares it): an empty `events` then
    /// says nothing about who calls it.
    pub unknown_trigger: bool,
}

impl Function {
    /// A function with only its identity set.
    pub fn new(id: impl Into<String>, loc: Loc) -> Self {
        Self {
            id: id.into(),
            loc,
            name: None,
            handler: None,
            runtime: None,
            code_dir: None,
            handler_file: None,
            code: crate::code::CodeSource::Unknown,
            timeout: None,
            memory: None,
            reserved_concurrency: None,
            provisioned_concurrency: None,
            tracing: None,
            environment: Vec::new(),
            role: None,
            events: Vec::new(),
            url: None,
            layers: Vec::new(),
            dead_letter: None,
            async_config: None,
            kms_key: None,
            log_retention: None,
            recursive_loop: None,
            tags: None,
            properties: None,
            outputs: Vec::new(),
            debug: None,
            unknown_trigger: false,
        }
    }

    /// The handler string, when it is a known string.
    pub fn handler_str(&self) -> Option<&str> {
        self.handler.as_ref().and_then(Node::as_str)
    }

    /// The runtime string, when known.
    pub fn runtime_str(&self) -> Option<&str> {
        self.runtime.as_ref().and_then(Node::as_str)
    }

    /// An environment variable by name.
    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.environment.iter().find(|e| e.name == name)
    }

    /// Whether any trigger of this function is reachable from the internet (an HTTP API
    /// route, a WebSocket route, an ALB target or a function URL).
    pub fn is_internet_facing(&self) -> bool {
        self.url.is_some() || self.events.iter().any(|e| e.kind.is_http())
    }
}

/// An environment variable.
#[derive(Clone, Debug)]
pub struct EnvVar {
    /// Its name.
    pub name: String,
    /// Where the name is written.
    pub name_loc: Loc,
    /// Its (resolved) value.
    pub value: Node,
}

/// The trigger kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// API Gateway REST API (Serverless `http`, SAM `Api`).
    Http,
    /// API Gateway HTTP API (Serverless `httpApi`, SAM `HttpApi`).
    HttpApi,
    /// API Gateway WebSocket route.
    WebSocket,
    /// Application Load Balancer target.
    Alb,
    /// SQS queue.
    Sqs,
    /// SNS topic.
    Sns,
    /// S3 bucket notification.
    S3,
    /// DynamoDB stream.
    DynamoDbStream,
    /// Kinesis stream.
    KinesisStream,
    /// Amazon MQ / MSK / self-managed Kafka.
    Kafka,
    /// Scheduled rule.
    Schedule,
    /// EventBridge rule or CloudWatch event pattern.
    EventBridge,
    /// CloudWatch Logs subscription.
    CloudWatchLog,
    /// Cognito user-pool trigger.
    Cognito,
    /// IoT rule.
    Iot,
    /// Alexa skill or smart home.
    Alexa,
    /// Step Functions task.
    StepFunctions,
    /// Another kind, named in [`Event::type_name`].
    Other,
}

impl EventKind {
    /// Whether requests come from the internet through an HTTP endpoint.
    pub const fn is_http(self) -> bool {
        matches!(
            self,
            EventKind::Http | EventKind::HttpApi | EventKind::WebSocket | EventKind::Alb
        )
    }

    /// Kebab-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Http => "http",
            EventKind::HttpApi => "http-api",
            EventKind::WebSocket => "web-socket",
            EventKind::Alb => "alb",
            EventKind::Sqs => "sqs",
            EventKind::Sns => "sns",
            EventKind::S3 => "s3",
            EventKind::DynamoDbStream => "dynamo-db-stream",
            EventKind::KinesisStream => "kinesis-stream",
            EventKind::Kafka => "kafka",
            EventKind::Schedule => "schedule",
            EventKind::EventBridge => "event-bridge",
            EventKind::CloudWatchLog => "cloud-watch-log",
            EventKind::Cognito => "cognito",
            EventKind::Iot => "iot",
            EventKind::Alexa => "alexa",
            EventKind::StepFunctions => "step-functions",
            EventKind::Other => "other",
        }
    }
}

/// A trigger of a function.
#[derive(Clone, Debug)]
pub struct Event {
    /// What kind of trigger.
    pub kind: EventKind,
    /// The type as written (`http`, `Api`, `SQS`, `AWS::Lambda::EventSourceMapping`).
    pub type_name: String,
    /// Where the event is declared.
    pub loc: Loc,
    /// HTTP route details for HTTP-like triggers.
    pub route: Option<Route>,
    /// The resource that triggers the function: a queue, topic, bucket, table stream or
    /// stream, as a node (`!GetAtt Queue.Arn`, `!Ref Bucket`, an ARN, a bucket name).
    pub source: Option<Node>,
    /// S3 key filters (prefix/suffix) and similar.
    pub filters: Vec<KeyFilter>,
    /// The event's raw properties, for rules.
    pub properties: Option<Node>,
}

/// An S3 key filter rule.
#[derive(Clone, Debug)]
pub struct KeyFilter {
    /// `prefix` or `suffix`.
    pub name: String,
    /// The value.
    pub value: Node,
}

/// An HTTP route.
#[derive(Clone, Debug)]
pub struct Route {
    /// Method (`GET`, `ANY`, `$connect` for WebSocket routes).
    pub method: String,
    /// Path (`/orders/{id}`) or route key.
    pub path: String,
    /// The API it belongs to, when it names one (SAM `RestApiId`); `None` for the implicit
    /// API.
    pub api: Option<String>,
    /// How callers are authenticated.
    pub auth: Auth,
    /// Whether an API key is required (`private: true`, `ApiKeyRequired`).
    pub api_key_required: bool,
    /// CORS settings when declared on the route.
    pub cors: Option<Node>,
}

/// How callers of a route are authenticated.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Nobody checks who calls.
    None,
    /// An authorizer: Cognito, Lambda (token/request), JWT, IAM, ...
    Authorizer {
        /// The kind (`cognito`, `lambda`, `jwt`, `aws_iam`, `custom`).
        kind: String,
        /// Name or reference as written.
        name: String,
        /// Where it is set.
        loc: Loc,
    },
    /// The descriptor's value could not be resolved statically.
    Unknown(Loc),
}

impl Auth {
    /// Whether callers are authenticated (unknown counts as authenticated to avoid crying
    /// wolf).
    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Auth::None)
    }
}

/// A function URL.
#[derive(Clone, Debug)]
pub struct FunctionUrl {
    /// `NONE` or `AWS_IAM`.
    pub auth_type: Option<Node>,
    /// Where the URL is declared.
    pub loc: Loc,
    /// CORS settings.
    pub cors: Option<Node>,
}

/// An output binding of an Azure function: the code writes a value under its name
/// (`msg.set(value)` in Python, `context.bindings.msg = value` in JavaScript) and the platform
/// delivers it to the resource.
#[derive(Clone, Debug)]
pub struct Output {
    /// The name the code uses (`name` in `function.json`, `arg_name` of a v2 decorator).
    pub name: String,
    /// The binding type (`queue`, `serviceBus`, `blob`, `eventHub`, `cosmosDB`).
    pub binding: String,
    /// The id of the resource it writes to.
    pub resource: String,
    /// Where it is declared.
    pub loc: Loc,
}

/// A resource that is not a function.
#[derive(Clone, Debug)]
pub struct Resource {
    /// Logical id (or address).
    pub id: String,
    /// CloudFormation type (`AWS::SQS::Queue`, `AWS::Serverless::SimpleTable`).
    pub type_name: String,
    /// Where it is declared.
    pub loc: Loc,
    /// Its properties.
    pub properties: Option<Node>,
    /// Set when the template deploys it only under a `Condition` that is false with the
    /// parameters' defaults.
    pub off_by_default: Option<OffByDefault>,
}

/// A resource that a default deployment does not create: its `Condition` is false with the
/// parameters' defaults, so it exists only when someone sets a parameter otherwise.
#[derive(Clone, Debug)]
pub struct OffByDefault {
    /// The condition's name.
    pub condition: String,
    /// When the resource is deployed, for messages (`parameter `Type` is `public``).
    pub when: String,
    /// The resource's whole declaration: findings located in it are about it.
    pub extent: Loc,
}

impl Resource {
    /// A property by name.
    pub fn prop(&self, key: &str) -> Option<&Node> {
        self.properties.as_ref().and_then(|p| p.get(key))
    }
}

/// How a role came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleOrigin {
    /// Serverless provider-level statements: one role shared by every function that has no
    /// role of its own.
    ProviderShared,
    /// Per-function statements (serverless-iam-roles-per-function) or a SAM function's
    /// generated role.
    PerFunction,
    /// An `AWS::IAM::Role` declared in the template.
    Declared,
    /// A role given by ARN or name, defined elsewhere: its permissions are unknown.
    External,
    /// A role whose policy the framework writes from the code when it deploys (Chalice's
    /// `autogen_policy`): the permissions follow the calls the code makes.
    Generated,
}

/// An IAM role and what it allows.
#[derive(Clone, Debug)]
pub struct Role {
    /// Id: the logical id, `<provider>` for the Serverless shared role, `<fn>Role` for
    /// generated ones.
    pub id: String,
    /// Where it is declared (or referenced, for external roles).
    pub loc: Loc,
    /// How it came to be.
    pub origin: RoleOrigin,
    /// Allow and deny statements, inline and from policies attached to it.
    pub statements: Vec<Statement>,
    /// Managed policies attached (names or ARNs as written).
    pub managed_policies: Vec<Node>,
    /// The ids of the functions that run with it.
    pub functions: Vec<String>,
}

/// An IAM policy statement.
#[derive(Clone, Debug)]
pub struct Statement {
    /// `Allow` (true) or `Deny`.
    pub allow: bool,
    /// `Action` entries.
    pub actions: Vec<Node>,
    /// `NotAction` entries.
    pub not_actions: Vec<Node>,
    /// `Resource` entries.
    pub resources: Vec<Node>,
    /// `NotResource` entries.
    pub not_resources: Vec<Node>,
    /// `Principal` (resource policies).
    pub principal: Option<Node>,
    /// `Condition`.
    pub condition: Option<Node>,
    /// Where the statement is written.
    pub loc: Loc,
    /// Where it comes from: `inline`, a policy's logical id, or a SAM policy template name
    /// (`DynamoDBCrudPolicy`).
    pub origin: String,
}

impl Statement {
    /// The action strings that are known.
    pub fn action_strs(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.actions
            .iter()
            .filter_map(|n| n.as_str().map(|s| (s, n)))
    }
}

/// An API (REST, HTTP or WebSocket) with stage settings.
#[derive(Clone, Debug)]
pub struct Api {
    /// Logical id, or `<implicit>` for the API a descriptor creates from events.
    pub id: String,
    /// `rest`, `http` or `websocket`.
    pub protocol: String,
    /// Where it is declared.
    pub loc: Loc,
    /// The default authorizer, if any.
    pub default_auth: Option<Auth>,
    /// Whether an API key is required by default.
    pub api_key_required: bool,
    /// Throttling (rate/burst) settings, when declared.
    pub throttling: Option<Node>,
    /// Access logging settings, when declared.
    pub access_logging: Option<Node>,
    /// Execution logging / data trace settings (`MethodSettings`).
    pub method_settings: Option<Node>,
    /// Tracing.
    pub tracing: Option<Node>,
    /// CORS.
    pub cors: Option<Node>,
    /// Resource policy.
    pub resource_policy: Option<Node>,
    /// The raw properties.
    pub properties: Option<Node>,
}

/// An API method whose integration calls an AWS service itself (API Gateway `Type: AWS`,
/// `arn:aws:apigateway:<region>:dynamodb:action/PutItem`): the caller reaches the service
/// with the integration's credentials, no function in between.
#[derive(Clone, Debug)]
pub struct ServiceRoute {
    /// The route (method, path, API, authentication).
    pub route: Route,
    /// Where the method is declared.
    pub loc: Loc,
    /// The service, as the integration URI names it (`dynamodb`, `sqs`, `sns`, `states`).
    pub service: String,
    /// The action, when known (`PutItem`, `SendMessage`, `Publish`, `StartExecution`).
    pub action: Option<String>,
}

/// A resource-based permission that lets a principal invoke a function.
#[derive(Clone, Debug)]
pub struct LambdaPermission {
    /// Logical id.
    pub id: String,
    /// Where declared.
    pub loc: Loc,
    /// The function it applies to (node as written).
    pub function: Option<Node>,
    /// The principal.
    pub principal: Option<Node>,
    /// `SourceArn`.
    pub source_arn: Option<Node>,
    /// `SourceAccount`.
    pub source_account: Option<Node>,
    /// The action.
    pub action: Option<Node>,
    /// `FunctionUrlAuthType`.
    pub url_auth_type: Option<Node>,
}

/// A template parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Where declared.
    pub loc: Loc,
    /// Default value.
    pub default: Option<Node>,
    /// Whether `NoEcho` is set.
    pub no_echo: bool,
    /// Type.
    pub type_name: Option<String>,
}
