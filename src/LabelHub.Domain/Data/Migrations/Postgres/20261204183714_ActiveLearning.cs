using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ActiveLearning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "learning",
                table: "projects",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "model_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    field = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    labels = table.Column<string>(type: "jsonb", nullable: false),
                    input = table.Column<string>(type: "jsonb", nullable: false),
                    train_count = table.Column<int>(type: "integer", nullable: false),
                    validation_count = table.Column<int>(type: "integer", nullable: false),
                    answers_seen = table.Column<int>(type: "integer", nullable: false),
                    validation_accuracy = table.Column<double>(type: "double precision", nullable: false),
                    validation_loss = table.Column<double>(type: "double precision", nullable: false),
                    best_epoch = table.Column<int>(type: "integer", nullable: false),
                    curve = table.Column<string>(type: "jsonb", nullable: false),
                    training_seconds = table.Column<double>(type: "double precision", nullable: false),
                    trained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    job_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    checkpoint_file_id = table.Column<Guid>(type: "uuid", nullable: false),
                    training_set_file_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_model_versions_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_model_versions_stored_files_checkpoint_file_id",
                        column: x => x.checkpoint_file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_model_versions_stored_files_training_set_file_id",
                        column: x => x.training_set_file_id,
                        principalTable: "stored_files",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "learning_rounds",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    job_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    strategy = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    diversity = table.Column<bool>(type: "boolean", nullable: false),
                    cold_start = table.Column<bool>(type: "boolean", nullable: false),
                    model_version_id = table.Column<Guid>(type: "uuid", nullable: true),
                    labeled_count = table.Column<int>(type: "integer", nullable: false),
                    pool_size = table.Column<int>(type: "integer", nullable: false),
                    up_to_annotation_id = table.Column<long>(type: "bigint", nullable: false),
                    expected_accuracy = table.Column<double>(type: "double precision", nullable: true),
                    gain_labels = table.Column<int>(type: "integer", nullable: true),
                    scoring_seconds = table.Column<double>(type: "double precision", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_learning_rounds", x => x.id);
                    table.ForeignKey(
                        name: "fk_learning_rounds_model_versions_model_version_id",
                        column: x => x.model_version_id,
                        principalTable: "model_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_learning_rounds_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "round_picks",
                columns: table => new
                {
                    round_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    rank = table.Column<int>(type: "integer", nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: false),
                    reason = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    predicted_label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    confidence = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_round_picks", x => new { x.round_id, x.item_id });
                    table.ForeignKey(
                        name: "fk_round_picks_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_round_picks_learning_rounds_round_id",
                        column: x => x.round_id,
                        principalTable: "learning_rounds",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_learning_rounds_job_run_id",
                table: "learning_rounds",
                column: "job_run_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_learning_rounds_model_version_id",
                table: "learning_rounds",
                column: "model_version_id");

            migrationBuilder.CreateIndex(
                name: "ix_learning_rounds_project_id_number",
                table: "learning_rounds",
                columns: new[] { "project_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_model_versions_checkpoint_file_id",
                table: "model_versions",
                column: "checkpoint_file_id");

            migrationBuilder.CreateIndex(
                name: "ix_model_versions_project_id_version",
                table: "model_versions",
                columns: new[] { "project_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_model_versions_training_set_file_id",
                table: "model_versions",
                column: "training_set_file_id");

            migrationBuilder.CreateIndex(
                name: "ix_round_picks_item_id",
                table: "round_picks",
                column: "item_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "round_picks");

            migrationBuilder.DropTable(
                name: "learning_rounds");

            migrationBuilder.DropTable(
                name: "model_versions");

            migrationBuilder.DropColumn(
                name: "learning",
                table: "projects");
        }
    }
}
