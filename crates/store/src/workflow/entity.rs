//! sea-orm entities of the workflow tables (see `migration::m0007_workflow`). Private to the store.

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod registration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "registration")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub year: i32,
        pub standard: String,
        pub registered_at: DateTimeUtc,
        pub actor_id: Option<i64>,
        pub actor_name: String,
    }

    no_relations!();
}

pub mod dossier {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dossier")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub year: i32,
        pub standard: String,
        pub state: String,
        pub level: Option<String>,
        pub version: i64,
        pub updated_at: DateTimeUtc,
    }

    no_relations!();
}

pub mod transition {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dossier_transition")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub dossier_id: i64,
        pub action: String,
        pub from_state: String,
        pub from_level: Option<String>,
        pub to_state: String,
        pub to_level: Option<String>,
        pub actor_id: Option<i64>,
        pub actor_name: String,
        pub at: DateTimeUtc,
        #[sea_orm(column_type = "Text", nullable)]
        pub reason: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub comments: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub snapshot: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub details: Option<String>,
    }

    no_relations!();
}

pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "decision")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub number: String,
        pub signed_on: Date,
        pub signer: String,
        #[sea_orm(column_type = "Text")]
        pub legal_basis: String,
        pub kind: String,
        pub refers_to: Option<i64>,
        pub year: i32,
        pub standard: String,
        pub issuer_unit_id: Option<i64>,
        pub issued_at: DateTimeUtc,
        pub actor_id: Option<i64>,
        pub actor_name: String,
    }

    no_relations!();
}

pub mod decision_unit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "decision_unit")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub decision_id: i64,
        pub unit_id: i64,
        pub dossier_id: i64,
    }

    no_relations!();
}

pub mod notification {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub kind: String,
        pub text_key: String,
        #[sea_orm(column_type = "Text")]
        pub args: String,
        pub link: String,
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }

    no_relations!();
}

pub mod deadline {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "deadline")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: Option<i64>,
        pub year: i32,
        pub kind: String,
        pub day: Date,
    }

    no_relations!();
}
